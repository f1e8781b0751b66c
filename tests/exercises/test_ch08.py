"""Chapter 08's checkers: a hidden block built and run in Keras, and steps to reach a target."""
import numpy as np
import pytest

from bn_lesson import exercises as ex


# -- check_steps_to_reach ------------------------------------------------------------------------------------

def first(s, a, t):
    hit = np.flatnonzero(a >= t)
    return int(s[hit[0]]) if hit.size else None


@pytest.mark.parametrize("fn", [first, ex.SOLUTIONS["steps_to_reach"],
                                lambda s, a, t: next((int(step) for step, acc in zip(s, a) if acc >= t), None),
                                lambda s, a, t: float(first(s, a, t)) if first(s, a, t) else None],
                         ids=["flatnonzero", "solution", "loop", "a float"])
def test_steps_to_reach_right_answers_pass(run, fn):
    ok, line = run(ex.check_steps_to_reach, fn)
    assert ok and line.startswith(ex.PASS), line


@pytest.mark.parametrize("fn, hint", [
    (lambda s, a, t: int(np.flatnonzero(a >= t)[0]) if (a >= t).any() else None, "index"),
    (lambda s, a, t: int(s[np.flatnonzero(a > t)[0]]) if (a > t).any() else None, ">="),
    (lambda s, a, t: int(s[np.flatnonzero(a >= t)[-1]]) if (a >= t).any() else None, "last record"),
    (lambda s, a, t: int(s[np.flatnonzero(a >= t)[0]]) if (a >= t).any() else -1, "return None"),
    (lambda s, a, t: first(s, a, 0.9), "use the `target` argument"),
    (lambda s, a, t: 50 * (int(np.flatnonzero(a >= t)[0]) + 1) if (a >= t).any() else None, "`steps`"),
    (lambda s, a, t: s[a >= t], "return one number"),   # the array that used to crash the checker
    (lambda s, a, t: (a >= t).any(), "not True"),
    (lambda s, a, t: first(s, a, t) and first(s, a, t) + 1, "expected step"),
])
def test_steps_to_reach_mistakes(run, fn, hint):
    ok, line = run(ex.check_steps_to_reach, fn)
    assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_steps_to_reach_forgotten_return(run):
    def no_return(steps, accuracy, target):
        first(steps, accuracy, target)
    ok, line = run(ex.check_steps_to_reach, no_return)
    assert not ok and "you returned None, but the accuracy reached" in line and "forget `return`" in line, line


# -- check_bn_block --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def L():
    return pytest.importorskip("keras").layers


def test_bn_block_right_answers_pass(run, L):
    import keras
    for fn in (ex.SOLUTIONS["bn_block"],
               lambda u: (L.Dense(u, use_bias=False), L.BatchNormalization(momentum=0.9), L.Activation("sigmoid")),
               lambda u: [L.Dense(u, use_bias=False, activation=None), L.BatchNormalization(epsilon=1e-5),
                          L.Activation(keras.activations.sigmoid)]):
        ok, line = run(ex.check_bn_block, fn)
        assert ok and line.startswith(ex.PASS), line


def mistakes(L):
    return [
        (lambda u: [L.Dense(u, use_bias=False), L.Activation("sigmoid"), L.BatchNormalization()], "after the sigmoid"),
        (lambda u: [L.Dense(u, activation="sigmoid"), L.BatchNormalization()], "after the sigmoid"),
        (lambda u: [L.BatchNormalization(), L.Dense(u, use_bias=False), L.Activation("sigmoid")], "layer's input"),
        (lambda u: [L.Dense(u), L.BatchNormalization(), L.Activation("sigmoid")], "bias is wasted"),
        (lambda u: [L.Dense(10, use_bias=False), L.BatchNormalization(), L.Activation("sigmoid")], "use the argument"),
        (lambda u: [L.Dense(u, use_bias=False), L.BatchNormalization(), L.Activation("relu")], "sigmoid units"),
        (lambda u: [L.Dense(u, use_bias=False, activation="tanh"), L.BatchNormalization(), L.Activation("sigmoid")],
         "applies tanh"),
        (lambda u: [L.Dense(u, use_bias=False), L.BatchNormalization(axis=0), L.Activation("sigmoid")],
         "axis=0"),
        (lambda u: [L.Dense(u, use_bias=False), L.BatchNormalization(center=False, scale=False),
                    L.Activation("sigmoid")], "center=False drops beta"),
        (lambda u: [L.Dense(u, use_bias=False), L.BatchNormalization(scale=False), L.Activation("sigmoid")],
         "scale=False drops gamma"),
        (lambda u: L.Dense(u), "list of layers"),
        (lambda u: [], "empty list"),
        (lambda u: [L.Dense(u, use_bias=False), L.BatchNormalization()], "expected three layers"),
    ]


def test_bn_block_mistakes(run, L):
    for fn, hint in mistakes(L):
        ok, line = run(ex.check_bn_block, fn)
        assert not ok and line.startswith(ex.FAIL) and hint in line, line


def test_bn_block_rejects_classes_that_only_have_the_right_names(run, L):
    Dense = type("Dense", (), {"__init__": lambda self, units, use_bias=True: setattr(self, "units", units)})
    BatchNormalization = type("BatchNormalization", (), {})
    Activation = type("Activation", (), {"__init__": lambda self, name: None})
    ok, line = run(ex.check_bn_block,
                   lambda u: [Dense(u, use_bias=False), BatchNormalization(), Activation("sigmoid")])
    assert not ok and "not a Keras layer" in line, line

    class Dense(L.Layer):   # a Keras layer called Dense that is not keras.layers.Dense
        def __init__(self, units, use_bias=True):
            super().__init__()
            self.units, self.use_bias = units, use_bias

        def call(self, x):
            return x

    ok, line = run(ex.check_bn_block, lambda u: [Dense(u, use_bias=False), L.BatchNormalization(),
                                                 L.Activation("sigmoid")])
    assert not ok and "class of your own" in line, line


def test_bn_block_is_run_not_only_inspected(run, L):
    class Halved(L.Dense):   # a real Dense subclass with the right settings that computes something else
        def call(self, x):
            return super().call(x) * 0.5 + 1.0

    class Clipped(L.BatchNormalization):   # BN that ignores the batch statistics
        def call(self, x, training=None):
            return super().call(x, training=False)

    ok, line = run(ex.check_bn_block, lambda u: [Halved(u, use_bias=False), L.BatchNormalization(),
                                                 L.Activation("sigmoid")])
    assert not ok and "your block does not compute" in line, line
    ok, line = run(ex.check_bn_block, lambda u: [L.Dense(u, use_bias=False), Clipped(), L.Activation("sigmoid")])
    assert not ok and "in training mode your block does not compute" in line, line
