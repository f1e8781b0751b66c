"""Every test run, however started: the kernels it starts (nbval's included) get the course's kernel
environment (``tools/kernel.env``), as under ``make test``, which exports it already."""
import os

from tools.kernel import kernel_env

for name, value in kernel_env().items():
    os.environ.setdefault(name, value)
