"""ReLU networks for §7 (Figures 6 and 7): fully connected nets with exact gradients
(:mod:`.mlp`), training by gradient descent and gradient flow (:mod:`.train`), tangent kernels
and their infinite-width limits (:mod:`.kernels`, :mod:`.univariate`), laziness metrics
(:mod:`.metrics`), MNIST's IDX files (:mod:`.idx`) and an optional torch backend
(:mod:`.torch_backend`, extra ``nn``)."""
