"""The llama.cpp build: the flag chooser over sample CPUs (no AMX ever), the cache key, the installed
build against this machine's CPU, and the set-up self-test's verdicts."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generation import llama_build, selftest

# /proc/cpuinfo flags of three real kinds of x86-64 machine (abridged to what matters here, plus noise).
AVX2_ONLY = set("fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c bmi1 bmi2 xsave popcnt aes".split())
AVX512 = AVX2_ONLY | set("avx512f avx512cd avx512vl avx512dq avx512bw avx512_vnni avx512vbmi".split())
AMX = AVX512 | set("avx512_bf16 avx_vnni amx_tile amx_int8 amx_bf16 avx512_fp16".split())
OLD_AVX = set("fpu sse sse2 ssse3 sse4_1 sse4_2 avx xsave popcnt".split())  # Sandy Bridge: no AVX2/FMA/F16C


def options(flags: set[str]) -> dict[str, str]:
    args = llama_build.cmake_args(flags, "Linux", "x86_64")
    return dict(a.removeprefix("-D").split("=") for a in args)


@pytest.mark.parametrize("flags", [AVX2_ONLY, AVX512, AMX, OLD_AVX, set()],
                         ids=["avx2", "avx512", "amx", "avx", "none"])
def test_every_cpu_gets_explicit_flags_and_never_amx_or_native(flags):
    chosen = options(flags)
    assert chosen["GGML_NATIVE"] == "OFF"  # -march=native would compile AMX back in
    assert {chosen[k] for k in ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")} == {"OFF"}
    assert chosen["GGML_CPU_ALL_VARIANTS"] == chosen["GGML_BACKEND_DL"] == "OFF"
    # every instruction-set option is named: ggml's defaults switch AVX2/FMA/F16C on when NATIVE is off
    assert {option for option, _ in llama_build.X86_OPTIONS} <= set(chosen)


def test_avx2_machine_gets_avx2_without_avx512():
    chosen = options(AVX2_ONLY)
    assert [chosen[k] for k in ("GGML_AVX", "GGML_AVX2", "GGML_FMA", "GGML_F16C", "GGML_BMI2")] == ["ON"] * 5
    assert {chosen[k] for k in ("GGML_AVX512", "GGML_AVX512_VNNI", "GGML_AVX512_VBMI", "GGML_AVX_VNNI")} == {"OFF"}


def test_avx512_machine_gets_its_extensions():
    chosen = options(AVX512)
    assert chosen["GGML_AVX512"] == chosen["GGML_AVX512_VNNI"] == chosen["GGML_AVX512_VBMI"] == "ON"
    assert chosen["GGML_AVX512_BF16"] == "OFF"  # not in this CPU's flags


def test_amx_machine_gets_all_of_avx512_but_no_amx():
    chosen = options(AMX)
    assert [chosen[k] for k in ("GGML_AVX512", "GGML_AVX512_BF16", "GGML_AVX512_VNNI", "GGML_AVX_VNNI")] == ["ON"] * 4
    assert not any(k.startswith("GGML_AMX") and v == "ON" for k, v in chosen.items())


def test_old_cpu_gets_no_instruction_it_lacks():
    chosen = options(OLD_AVX)
    assert chosen["GGML_AVX"] == "ON"
    assert {chosen[k] for k in ("GGML_AVX2", "GGML_FMA", "GGML_F16C", "GGML_BMI2", "GGML_AVX512")} == {"OFF"}


def test_avx512_extensions_need_the_avx512_base():
    partial = AVX2_ONLY | {"avx512_vnni", "avx512f"}  # no avx512bw/vl/dq/cd: the base option is off
    chosen = options(partial)
    assert chosen["GGML_AVX512"] == chosen["GGML_AVX512_VNNI"] == "OFF"


@pytest.mark.parametrize("system,machine", [("Darwin", "arm64"), ("Linux", "aarch64"), ("Darwin", "x86_64")])
def test_macos_and_arm_keep_upstream_defaults(system, machine):
    assert llama_build.cmake_args(AMX, system, machine) == []


def test_cpuinfo_flags_reads_the_flags_line():
    text = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu avx2 amx_int8\nbugs\t\t: spectre\n"
    assert llama_build.cpuinfo_flags(text) == {"fpu", "avx2", "amx_int8"}


def test_cmake_args_from_the_environment_win(monkeypatch):
    monkeypatch.setenv("CMAKE_ARGS", "-DGGML_NATIVE=OFF -DGGML_AVX2=OFF")
    assert llama_build.machine_args() == ("-DGGML_NATIVE=OFF -DGGML_AVX2=OFF", "CMAKE_ARGS from the environment")


def test_a_flag_change_is_a_new_cache_key(monkeypatch):
    monkeypatch.setenv("GEOLLM_CACHE_DIR", "/tmp/geollm-test-cache")
    a = llama_build.build_dir(" ".join(llama_build.cmake_args(AVX2_ONLY, "Linux", "x86_64")))
    b = llama_build.build_dir(" ".join(llama_build.cmake_args(AVX512, "Linux", "x86_64")))
    assert a != b and a.parent == b.parent == Path("/tmp/geollm-test-cache/llama.cpp")
    assert a == llama_build.build_dir(" ".join(llama_build.cmake_args(AVX2_ONLY, "Linux", "x86_64")))


# --- the build installed in this venv --------------------------------------------------------------

def _installed_lib(name: str) -> Path:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None, "make installs llama-cpp-python"
    found = sorted((Path(spec.origin).parent / "lib").glob(f"{name}*"))
    if not found:
        pytest.skip(f"no {name} in the installed llama_cpp")
    return found[0]


def test_installed_build_matches_this_cpu():
    """The library make installed reports exactly the instruction sets the chooser picked for this CPU."""
    import llama_cpp

    if llama_build.machine_args()[1] != "chosen from /proc/cpuinfo":
        pytest.skip("not an x86-64 Linux machine with the chooser's flags")
    info = llama_cpp.llama_print_system_info().decode()
    chosen = options(llama_build.cpuinfo_flags(Path("/proc/cpuinfo").read_text()))
    assert "AMX_INT8 = 1" not in info
    for option, feature in (("GGML_AVX2", "AVX2"), ("GGML_AVX512", "AVX512"), ("GGML_FMA", "FMA"),
                            ("GGML_F16C", "F16C")):
        assert (f"{feature} = 1" in info) == (chosen[option] == "ON"), (option, info)


def test_no_amx_instruction_is_compiled_in():
    """The installed CPU backend holds no AMX tile instruction, whatever the CPU reports."""
    lib = _installed_lib("libggml-cpu")
    if shutil.which("objdump") is None:
        pytest.skip("objdump is not installed")
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(lib)], capture_output=True, text=True).stdout
    assert "vpaddd" in listing or "vfmadd" in listing  # the disassembly worked and shows SIMD code
    assert "ldtilecfg" not in listing and "tdpbssd" not in listing


def test_build_tree_compiled_without_native_or_amx():
    tree = llama_build.build_dir(llama_build.machine_args()[0]) / "build" / "compile_commands.json"
    if not tree.is_file():
        pytest.skip("no cached build tree on this machine")
    commands = " ".join(entry["command"] for entry in json.loads(tree.read_text()))
    assert "-march=native" not in commands and "-mamx" not in commands


# --- the self-test's verdicts ----------------------------------------------------------------------

def test_selftest_names_a_crash_and_the_fix():
    message = selftest.verdict(-signal.SIGSEGV, "llama.cpp system info: CPU : AMX_INT8 = 1 |", "", 180)
    assert "SIGSEGV" in message and "AMX" in message and "make clean-llama" in message


def test_selftest_names_a_hang_and_empty_output():
    assert "hung" in selftest.verdict(None, "", "", 60)
    assert "no text" in selftest.verdict(0, "llama.cpp system info: x\ngenerated: ''\n", "", 60)
    assert selftest.verdict(0, "generated: ' there was'\n", "", 60) is None
    missing = selftest.verdict(1, "", "Traceback…\nModuleNotFoundError: No module named 'diskcache'", 60)
    assert "diskcache" in missing and "run make again" in missing and "clean-llama" not in missing


def test_selftest_passes_on_this_build():
    """The real self-test, as make runs it: a subprocess generates with the smallest model."""
    run = subprocess.run([sys.executable, "-m", "generation.selftest", "--timeout", "300"],
                         capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("llama.cpp system info:") and "self-test passed" in run.stdout


def test_the_script_runs_as_make_runs_it():
    """`make` runs the build script by path with -P (generation/types.py must not shadow `types`)."""
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-P", "generation/llama_build.py", "flags"], capture_output=True, text=True,
                         cwd=root, env={**os.environ, "CMAKE_ARGS": "-DGGML_AVX2=OFF"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("-DGGML_AVX2=OFF\n# CMAKE_ARGS from the environment")
