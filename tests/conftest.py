import os

# TensorFlow reads this when it is first imported: keep its C++ log lines out of test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
