"""Batch norm after the activation instead of before it: the other placement, for chapter 05's comparison.

    x -> [affine -> activation -> BatchNorm] * L -> affine -> softmax cross-entropy

``MLP`` puts batch norm where the paper does, between the affine layer and the activation.
``PostActivationMLP`` is the same network with each batch norm moved behind its activation (a placement
many practitioners use with ReLU); everything else -- weights, ``train``, ``sgd_step`` -- is ``MLP``'s.
"""
from .. import _checks
from ..activations import ACTIVATIONS
from .mlp import MLP, Cache


class PostActivationMLP(MLP):
    """``MLP`` with every hidden layer's batch norm *after* its activation (same parameters as ``MLP``).

    ``Cache.preacts`` still holds each activation's input (now the affine output), ``Cache.affine`` the same.
    """

    def forward(self, x, training):
        """Class scores (N, C) and the cache, as ``MLP.forward``; batch norm normalizes act(x @ W + b)."""
        training = _checks.check_bool(training, "training")
        act = ACTIVATIONS[self.activation][0]
        inputs, affine, bn_caches = [self.check_input(x)], [], []
        for W, b, bn in zip(self.W[:-1], self.b[:-1], self.bn):
            affine.append(inputs[-1] @ W + b)                                  # (N, H_l)
            out, bn_cache = (act(affine[-1]), None) if bn is None else bn.forward(act(affine[-1]), training)
            inputs.append(out)                                                 # (N, H_l)
            bn_caches.append(bn_cache)
        scores = inputs[-1] @ self.W[-1] + self.b[-1]                          # (N, C)
        return scores, Cache(inputs, affine, list(affine), bn_caches)

    def backward(self, dscores, cache):
        """Gradients of every parameter, as ``MLP.backward`` returns them."""
        act_grad = ACTIVATIONS[self.activation][1]
        L = self.n_hidden
        grads = {"W": [None] * (L + 1), "b": [None] * (L + 1), "gamma": [None] * L, "beta": [None] * L}
        d = dscores                                   # d loss / d (output of layer l), from the top down
        for l in range(L, -1, -1):
            if l < L:                                 # a hidden layer: back through BN, then the activation
                if self.bn[l] is not None:
                    d, grads["gamma"][l], grads["beta"][l] = self.bn[l].backward(d, cache.bn_caches[l])
                d = d * act_grad(cache.preacts[l])    # (N, H_l)
            grads["W"][l] = cache.inputs[l].T @ d     # (D_l, H_l)
            grads["b"][l] = d.sum(axis=0)             # (H_l,)
            d = d @ self.W[l].T                       # (N, D_l)
        return grads
