"""Chapter 12, batch norm in a CNN and as a regularizer: one hidden block in the paper's order.

``check_bn_block`` builds the learner's layers into a Keras model the way chapter 08's network does and
runs it, so it imports Keras (only when called).
"""
import numpy as np

from ..activations import sigmoid
from ._harness import TIME_LIMIT, Case, check
from ._judges import first_line


def bn_block(units):
    """units -> [Dense, BatchNormalization, Activation]: one hidden block of chapter 08's BN network."""
    import keras
    return [keras.layers.Dense(units, use_bias=False),      # affine; BN's beta replaces the bias
            keras.layers.BatchNormalization(),              # normalize the affine output ...
            keras.layers.Activation("sigmoid")]             # ... before the nonlinearity


# -- check_bn_block ----------------------------------------------------------------------------------------

_KINDS = ("Dense", "BatchNormalization", "Activation")
_ORDER = " -> ".join(_KINDS)


def _kind(keras, layer):
    """"Dense", "BatchNormalization" or "Activation" for Keras' own layers (and subclasses), else the class name."""
    return next((name for name in _KINDS if isinstance(layer, getattr(keras.layers, name))), type(layer).__name__)


def _run_block(layers, x):
    """Build ``layers`` behind an input of x's width, as chapter 08's network does, and run it both ways.

    Returns what the judge compares -- the outputs and the weights they came from -- or the exception Keras
    raised, or None when ``layers`` is not a list of Keras layers (the judge says so).
    """
    import keras
    if not (isinstance(layers, (list, tuple)) and layers and all(isinstance(l, keras.layers.Layer) for l in layers)):
        return None
    try:
        model = keras.Sequential([keras.Input(shape=(x.shape[1],)), *layers])
        rng = np.random.default_rng(808)
        run = {}
        if len(layers) > 1 and isinstance(layers[0], keras.layers.Dense) \
                and isinstance(layers[1], keras.layers.BatchNormalization):
            dense, bn = layers[:2]
            units = bn.moving_mean.shape[-1]
            for name, value in (("gamma", rng.uniform(0.5, 2.0, units)), ("beta", rng.uniform(-1.0, 1.0, units)),
                                ("moving_mean", rng.normal(0.0, 0.5, units)),
                                ("moving_variance", rng.uniform(0.5, 2.0, units))):
                if getattr(bn, name, None) is not None:
                    getattr(bn, name).assign(value.astype("float32"))
            run.update(W=np.asarray(dense.kernel, dtype=float), eps=float(bn.epsilon),
                       **{k: np.asarray(getattr(bn, k), dtype=float) if getattr(bn, k, None) is not None else None
                          for k in ("gamma", "beta", "moving_mean", "moving_variance")})
        run["inference"] = np.asarray(model(x, training=False), dtype=float)   # before training updates them
        run["training"] = np.asarray(model(x, training=True), dtype=float)
        return run
    except Exception as err:  # Keras could not build or run the block: the judge reports it
        return err


def _block_structure(keras, layers, units):
    """The hint for a block that is not Dense(units, no bias) -> BatchNormalization -> sigmoid, else None."""
    if not isinstance(layers, (list, tuple)):
        return f"return a list of layers, [{_ORDER.replace(' ->', ',')}]; got {type(layers).__name__}"
    if not layers:
        return f"you returned an empty list; return the three layers {_ORDER}"
    for i, layer in enumerate(layers):
        if not isinstance(layer, keras.layers.Layer):
            return (f"item {i} of your list is a {type(layer).__name__} from `{type(layer).__module__}`, not a Keras "
                    "layer: build the block from keras.layers")
    for layer in layers:
        name = type(layer).__name__
        if name in _KINDS and not isinstance(layer, getattr(keras.layers, name)):
            return (f"your {name} is a class of your own (from `{type(layer).__module__}`), not keras.layers.{name}: "
                    "use Keras' layers themselves")
    kinds = [_kind(keras, layer) for layer in layers]
    act = lambda layer: getattr(getattr(layer, "activation", None), "__name__", "")  # noqa: E731
    if kinds == ["Dense", "Activation", "BatchNormalization"] or (
            kinds == ["Dense", "BatchNormalization"] and act(layers[0]) == "sigmoid"):
        return ("BN comes after the sigmoid here; the paper normalizes the affine output, before the "
                f"nonlinearity: {_ORDER}")
    if kinds == ["BatchNormalization", "Dense", "Activation"]:
        return f"you normalized the layer's input; BN goes between the affine map and the activation: {_ORDER}"
    if kinds != ["Dense", "BatchNormalization", "Activation"]:
        return f"expected three layers, {_ORDER}; got {' -> '.join(kinds)}"
    dense, bn, activation = layers
    if act(dense) not in ("linear", ""):
        return (f"your Dense layer applies {act(dense)} itself, so BN would normalize the activation's output; "
                "leave Dense linear and let the Activation layer come after BN")
    if dense.units != units:
        return f"with units={units} the Dense layer has {dense.units} units; use the argument"
    if dense.use_bias:
        return ("the Dense bias is wasted -- BN subtracts the batch mean right after, which cancels any bias, "
                "and beta takes its role: Dense(units, use_bias=False)")
    if bn.axis not in (-1, 1, [-1], [1], (-1,), (1,)):
        return (f"your BatchNormalization has axis={bn.axis!r}; it normalizes each unit over the batch, so keep "
                "the default axis=-1 (the units)")
    if not bn.center:
        return ("center=False drops beta, the shift that takes over from the Dense bias you removed: keep "
                "center=True (the default)")
    if not bn.scale:
        return ("scale=False drops gamma, which lets each sigmoid unit choose how nonlinear it is (chapter 04): "
                "keep scale=True (the default)")
    if act(activation) != "sigmoid":
        return f"chapter 08's net uses sigmoid units; got activation {act(activation)!r}"
    return None


def check_bn_block(fn, *, time_limit=TIME_LIMIT):
    """Check ``fn(units) -> [layers]``: one hidden block of chapter 08's net, affine -> BN -> sigmoid.

    The layers must be Keras' own, in that order, with no Dense bias and BN's gamma and beta kept; then the
    block is built behind an input, as chapter 08's network does, and run in training and inference
    mode on a small batch, and its outputs must be sigmoid(gamma * (x W - mean) / sqrt(var + eps) + beta)
    with the batch's statistics and the moving ones.
    """
    import keras   # here, not in the worker thread: a first import of TensorFlow takes seconds
    rng = np.random.default_rng(808)
    inputs = {5: rng.normal(0.0, 1.0, size=(6, 4)).astype("float32"),
              3: rng.normal(1.0, 2.0, size=(8, 7)).astype("float32")}
    cases = [Case(f"units={u}, run on a batch of {x.shape[0]} examples with {x.shape[1]} inputs", units=u)
             for u, x in inputs.items()]

    def build_and_run(fn, units):
        layers = fn(units)
        return None if layers is None else (layers, _run_block(layers, inputs[units]))

    def judge(case, answer):
        layers, run = answer
        units = case.args["units"]
        hint = _block_structure(keras, layers, units)
        if hint:
            return hint
        if isinstance(run, Exception):
            return f"Keras could not run your block: {type(run).__name__}: {first_line(run)}"
        h = inputs[units].astype(float) @ run["W"]                                     # (N, units)
        for mode, mean, var in (("training", h.mean(0), h.var(0)),
                                ("inference", run["moving_mean"], run["moving_variance"])):
            want = sigmoid(run["gamma"] * (h - mean) / np.sqrt(var + run["eps"]) + run["beta"])
            if run[mode].shape != want.shape or not np.allclose(run[mode], want, atol=1e-4):
                return (f"in {mode} mode your block does not compute sigmoid(gamma * (x W - mean) / sqrt(var + eps) "
                        f"+ beta); use keras.layers' own Dense, BatchNormalization and Activation unchanged")
        return None

    return check("bn_block", fn, cases, judge, time_limit=time_limit, call=build_and_run,
                 passed="Dense(use_bias=False) -> BatchNormalization -> sigmoid, built and run for both sizes tried")
