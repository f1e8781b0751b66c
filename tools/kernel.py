"""The course's Jupyter kernel: this environment's ``python3`` kernelspec, with the course's settings.

    python -m tools.kernel            # write it into this Python's prefix (make's set-up step, Binder's postBuild)
    python -m tools.kernel --check    # exit 1 unless Jupyter finds this kernelspec as ``python3``

JupyterLab (``make lab``, Binder), ``make execute`` and Voila (``make demo``) start the environment's
kernelspec named ``python3``. ipykernel installs a plain one; this one differs in two settings:

* ``env`` -- the variables of ``tools/kernel.env`` (TensorFlow's C++ log level, the hash seed), so a kernel
  a learner starts runs like the kernels ``make test`` starts, and no module of the course has to write
  into ``os.environ`` when it is imported.
* ``--IPKernelApp.capture_fd_output=False`` -- what a compiled library writes straight to file descriptor
  2 goes to the terminal that started Jupyter instead of under the cell; Python's own stderr (warnings,
  ``print(..., file=sys.stderr)``) still shows under the cell, and errors are still raised in the cell.

Why the second one. TensorFlow 2.21's first import writes, twice, "WARNING: All log messages before
absl::InitializeLog() is called are written to STDERR" and "I... port.cc:153] oneDNN custom operations
are on ...". TensorFlow logs that line through Abseil, which writes every message to stderr until the
program calls ``absl::InitializeLog()`` (TensorFlow does not) and reads its minimum level from no
environment variable. Measured here, ``import tensorflow`` still prints both lines with
``TF_CPP_MIN_LOG_LEVEL`` 2 or 3, ``GLOG_minloglevel=2`` or ``ABSL_MIN_LOG_LEVEL=2`` (the open report is
tensorflow/tensorflow#100442). Only ``TF_ENABLE_ONEDNN_OPTS=0`` removes them, because the line is written
only when oneDNN is on -- but that changes the numbers (a small Keras CNN trained 3 epochs ends with other
weights) and buys no portability (TensorFlow's matrix product uses oneDNN's gemm either way: capping oneDNN
at AVX2 changes an eager ``tf.matmul`` with oneDNN's ops off too), so it is not used. The tests never saw
the lines because ipykernel forwards file-descriptor output only when ``PYTEST_CURRENT_TEST`` is unset:
nbval's kernels never forward it. Turning the forwarding off makes the learner's kernel behave like the
tested one, and the stored outputs are what a learner sees.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict, write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

ENV_FILE = Path(__file__).resolve().with_name("kernel.env")
#: ipykernel's options: compiled libraries' stderr goes to the terminal, not under the cell (see above)
KERNEL_ARGS = ["--IPKernelApp.capture_fd_output=False"]
#: the interpreter's options, as ``python -m ipykernel install`` writes them (the debugger steps into the
#: standard library)
PYTHON_ARGS = ["-Xfrozen_modules=off"]


def kernel_env(path=ENV_FILE):
    """The ``NAME=value`` lines of ``tools/kernel.env`` as a dict (comments and blank lines skipped)."""
    env = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.isidentifier():
            raise ValueError(f"{path}: expected NAME=value, got {line!r}")
        env[name] = value
    return env


def kernel_spec():
    """The course's kernel.json, as a dict."""
    return dict(get_kernel_dict(KERNEL_ARGS, PYTHON_ARGS), env=kernel_env())


def install(prefix=sys.prefix):
    """Write the course's kernelspec as ``python3`` into ``prefix``, replacing ipykernel's; returns its folder."""
    with tempfile.TemporaryDirectory() as tmp:
        staged = write_kernel_spec(Path(tmp) / KERNEL_NAME, overrides={"env": kernel_env()},
                                   extra_arguments=KERNEL_ARGS, python_arguments=PYTHON_ARGS)
        return Path(KernelSpecManager().install_kernel_spec(staged, KERNEL_NAME, prefix=str(prefix)))


def installed():
    """The kernelspec Jupyter starts as ``python3`` here (what JupyterLab, nbclient and Voila use), as a dict;
    None when there is none."""
    try:
        return KernelSpecManager().get_kernel_spec(KERNEL_NAME).to_dict()
    except NoSuchKernel:
        return None


def is_installed():
    """Whether the ``python3`` kernel Jupyter finds starts the way :func:`kernel_spec` says: this environment's
    interpreter (any of its names: ``python``, ``python3``), the same options, the same environment."""
    spec, found = kernel_spec(), installed() or {}
    argv = found.get("argv") or [""]
    same_python = Path(argv[0]).parent.resolve() == Path(spec["argv"][0]).parent.resolve()
    return same_python and argv[1:] == spec["argv"][1:] and found.get("env") == spec["env"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 unless it is installed")
    parser.add_argument("--prefix", default=sys.prefix, help="where to install (default: this Python's prefix)")
    args = parser.parse_args(argv)
    if args.check:
        if is_installed():
            return 0
        print("the python3 kernel is not the course's: run `python -m tools.kernel` (make does)", file=sys.stderr)
        return 1
    print(f"installed the course's kernel: {install(args.prefix)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
