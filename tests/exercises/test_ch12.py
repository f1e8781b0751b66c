"""Chapter 12's checker: a hidden block built and run in Keras."""
import pytest

from bn_lesson import exercises as ex


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
