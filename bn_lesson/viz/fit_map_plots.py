"""Drawing chapter 04's (γ, β) map: how linear and how saturated the activation is at every setting.

The numbers come from ``bn_lesson.stats.fit_saturation_map``; ``FitMapArtists`` draws the two maps and
moves a marker (the widget ``bn_lesson.widgets.activation_fit`` and ``plot_fit_saturation_map`` share it).
"""
import numpy as np
import matplotlib.pyplot as plt


class FitMapArtists:
    """Left: R² of the activation's straight-line fit; right: the share in its flat region; a marker on both.

    Parameters
    ----------
    left, right : Axes
    fit_map : ``FitSaturationMap`` -- the first maps shown (``show_map`` puts in another)
    """

    def __init__(self, left, right, fit_map):
        g, b = fit_map.gammas, fit_map.betas
        extent = (g[0], g[-1], b[0], b[-1])
        self.images, self.markers = [], []
        for ax, values, cmap, label in ((left, fit_map.r2, "viridis", "R² of the best straight line"),
                                        (right, fit_map.saturated, "Reds", "share in the flat region")):
            image = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0,
                              interpolation="nearest")
            ax.figure.colorbar(image, ax=ax, label=label)
            ax.set_xlabel("γ")
            ax.set_ylabel("β")
            (marker,) = ax.plot([], [], "o", ms=11, mfc="none", mew=2.2, color="white" if cmap == "viridis" else "black")
            self.images.append(image)
            self.markers.append(marker)
        self.left_title = left.set_title(" ", fontsize="medium")
        self.right_title = right.set_title(" ", fontsize="medium")

    def show_map(self, fit_map, activation):
        """Put another map (another activation) into the images: part of the background, not blitted."""
        self.images[0].set_data(fit_map.r2)
        self.images[1].set_data(fit_map.saturated)
        self.right_title.set_text(f"{activation}: share of γx̂ + β in the flat region")

    def animated(self):
        """The artists a slider move changes."""
        return self.markers + [self.left_title]

    def set(self, gamma, beta, r2, saturated):
        """Mark (gamma, beta) and say what the batch gives there (no drawing)."""
        for marker in self.markers:
            marker.set_data([gamma], [beta])
        self.left_title.set_text(f"γ = {gamma:g}, β = {beta:g}: R² {r2:.3f}, flat share {saturated:.1%}")


def plot_fit_saturation_map(fit_map, gamma=None, beta=None, activation="sigmoid", axes=None):
    """Both maps of a ``FitSaturationMap``, with (gamma, beta) marked if given.

    Returns
    -------
    axes : the two Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    artists = FitMapArtists(*axes, fit_map)
    artists.show_map(fit_map, activation)
    if gamma is not None:
        j = int(np.argmin(np.abs(fit_map.gammas - gamma)))
        i = int(np.argmin(np.abs(fit_map.betas - beta)))
        artists.set(gamma, beta, fit_map.r2[i, j], fit_map.saturated[i, j])
    else:
        artists.left_title.set_text(f"{activation}: R² of the best straight line")
    return axes
