"""Small numpy networks the chapters train, and gradient descent on least squares.

* ``mlp``     -- ``MLP`` (affine -> optional BatchNorm -> activation, softmax cross-entropy), ``fold_mlp``
  and ``with_population_statistics`` for inference (chapters 02, 06)
* ``train``   -- ``train``: mini-batch SGD of one ``MLP``, recording its layers' pre-activations
* ``seeds``   -- ``SeedMLP`` / ``train_seeds``: S independent copies trained at once on a seed axis, for
  claims that must hold on every seed (02, 04, 06, 11)
* ``conv``    -- channels-last conv2d, max-pooling and the conv -> BN -> ReLU -> pool block (05)
* ``descent`` -- gradient descent on least squares, curvature and condition number (01)
"""
