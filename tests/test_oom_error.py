"""An out-of-memory error inside a stage's step becomes one line naming the setting to lower
(``lightning_modules.oom``), whatever allocator raised it; other errors pass unchanged."""

import subprocess
import sys

import pytest
import torch

from experiments.memory import training_oom
from lightning_modules.oom import OutOfMemory, explain_oom, is_out_of_memory

CUDA = ("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
        "79.15 GiB of which 1.06 GiB is free.")
CPU = ("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: "
       "you tried to allocate 8589934592 bytes.")


def step(error: BaseException):
    """A stand-in for a scoring or training step that runs out of memory."""
    raise error


@pytest.mark.parametrize("error", [torch.OutOfMemoryError(CUDA), RuntimeError(CPU),
                                   RuntimeError("MPS backend out of memory"), MemoryError()],
                         ids=["cuda", "cpu", "mps", "python"])
def test_out_of_memory_becomes_one_line_naming_the_setting(error):
    with pytest.raises(OutOfMemory) as caught:
        with explain_oom("quals.batch_size", 64, "QUALS scoring"):
            step(error)
    assert str(caught.value) == ("error: out of memory in QUALS scoring at batch size 64: lower "
                                 "quals.batch_size (--set quals.batch_size=32)")
    assert caught.value.code == str(caught.value)  # the exit message
    assert (caught.value.setting, caught.value.value) == ("quals.batch_size", 64)
    assert caught.value.__suppress_context__  # no allocator traceback under it


def test_at_batch_size_one_it_says_what_else_to_lower():
    @explain_oom("candidates.batch_size", 1, "candidate sampling",
                 hint="lower candidates.max_length")
    def sample():
        step(torch.OutOfMemoryError(CUDA))

    with pytest.raises(OutOfMemory, match=r"^error: out of memory in candidate sampling at batch "
                                          r"size 1: candidates.batch_size is already 1; lower "
                                          r"candidates.max_length$"):
        sample()


def test_other_errors_pass_unchanged_and_an_inner_message_is_kept():
    with pytest.raises(RuntimeError, match="shape mismatch"):
        with explain_oom("quals.batch_size", 8):
            step(RuntimeError("shape mismatch"))
    with pytest.raises(OutOfMemory, match="in QAGS scoring at batch size 4: lower qags.batch_size"):
        with explain_oom("quals.batch_size", 8, "QUALS scoring"):
            with explain_oom("qags.batch_size", 4, "QAGS scoring"):
                step(torch.OutOfMemoryError(CUDA))
    assert not is_out_of_memory(ValueError("out of memory"))  # only allocator errors


def test_a_training_stage_names_its_config_file():
    class Data:
        hparams = {"batch_size": 8}

    class Cli:
        datamodule = Data()

    with pytest.raises(OutOfMemory) as caught:
        with training_oom(Cli(), "mle.yaml"):
            step(torch.OutOfMemoryError(CUDA))
    assert str(caught.value) == (
        "error: out of memory in training (mle.yaml) at batch size 8: lower "
        "data.init_args.batch_size (data.init_args.batch_size: 4 in experiments/configs/mle.yaml)")


def test_a_command_that_runs_out_of_memory_exits_with_the_line_alone():
    code = ("import torch\nfrom lightning_modules.oom import explain_oom\n"
            "with explain_oom('quals.batch_size', 64, 'QUALS scoring'):\n"
            f"    raise torch.OutOfMemoryError({CUDA!r})\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == ("error: out of memory in QUALS scoring at batch size 64: lower "
                                   "quals.batch_size (--set quals.batch_size=32)")
