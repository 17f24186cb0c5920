"""Build llama-cpp-python and llama.cpp's own tools for this machine's CPU, cached by their flags.

llama-cpp-python compiles ggml with `-march=native`, which compiles in ggml's AMX kernels on a CPU that
reports AMX; on some virtual machines those kernels fault (`ldtilecfg`, SIGSEGV at the first
generation). So on x86-64 Linux every instruction set is switched on or off by name from what
/proc/cpuinfo lists (the kernel lists only what it also enabled for user code), and AMX never.
macOS and ARM keep upstream's defaults. CMAKE_ARGS in the environment overrides the choice.

The wheel, and `llama-server` + `llama-bench` built from the same vendored source in the same build
tree, are kept in the cache under a key of version + flags + compiler: a second run is instant and a
flag change rebuilds. Standard library only: it runs before the venv has anything (with `python -P`, so
that generation/types.py does not shadow the standard library's `types`).

    python -P generation/llama_build.py flags           # the CMAKE_ARGS this machine gets
    python -P generation/llama_build.py install .venv   # build or reuse, install into the venv, build the tools
    python -P generation/llama_build.py tools           # where llama-server and llama-bench are
    python -P generation/llama_build.py clean .venv     # forget this machine's build
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "0.3.36"
TOOLS = ("llama-server", "llama-bench")
MARKER = ".llama-build"  # in the venv: the key of the build installed there

# ggml's x86 options, each with the /proc/cpuinfo flags it needs. Order matters: the AVX-512
# extensions need the AVX-512 base, which `enabled` checks.
X86_OPTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GGML_SSE42", ("sse4_2",)),
    ("GGML_AVX", ("avx",)),
    ("GGML_AVX2", ("avx2",)),
    ("GGML_FMA", ("fma",)),
    ("GGML_F16C", ("f16c",)),
    ("GGML_BMI2", ("bmi2",)),
    ("GGML_AVX_VNNI", ("avx_vnni",)),
    ("GGML_AVX512", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")),
    ("GGML_AVX512_VBMI", ("avx512vbmi",)),
    ("GGML_AVX512_VNNI", ("avx512_vnni",)),
    ("GGML_AVX512_BF16", ("avx512_bf16",)),
)
NEEDS_AVX512 = {"GGML_AVX512_VBMI", "GGML_AVX512_VNNI", "GGML_AVX512_BF16"}
# Off whatever the CPU says: AMX (faults on some VMs), and anything that would bring -march=native back.
ALWAYS_OFF = ("GGML_NATIVE", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16", "GGML_CPU_ALL_VARIANTS",
              "GGML_BACKEND_DL")


def enabled(cpu_flags: set[str]) -> list[str]:
    """The ggml x86 options this set of /proc/cpuinfo flags supports."""
    chosen = [option for option, needs in X86_OPTIONS if all(flag in cpu_flags for flag in needs)]
    if "GGML_AVX512" not in chosen:
        chosen = [option for option in chosen if option not in NEEDS_AVX512]
    return chosen


def cmake_args(cpu_flags: set[str] | None, system: str, machine: str) -> list[str]:
    """CMake definitions for ggml on this platform; [] keeps upstream's defaults (macOS, ARM)."""
    if system != "Linux" or machine.lower() not in ("x86_64", "amd64") or cpu_flags is None:
        return []
    on = set(enabled(cpu_flags))
    return ([f"-D{option}=OFF" for option in ALWAYS_OFF]
            + [f"-D{option}={'ON' if option in on else 'OFF'}" for option, _ in X86_OPTIONS])


def cpuinfo_flags(text: str) -> set[str]:
    """The feature flags of the first processor in a /proc/cpuinfo text."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return set()


def machine_args() -> tuple[str, str]:
    """(CMAKE_ARGS for this machine, where they came from)."""
    if os.environ.get("CMAKE_ARGS", "").strip():
        return os.environ["CMAKE_ARGS"].strip(), "CMAKE_ARGS from the environment"
    cpuinfo = Path("/proc/cpuinfo")
    flags = cpuinfo_flags(cpuinfo.read_text()) if cpuinfo.is_file() else None
    args = cmake_args(flags, platform.system(), platform.machine())
    return " ".join(args), ("chosen from /proc/cpuinfo" if args else "upstream defaults for this platform")


def cache_root() -> Path:
    """The app's cache folder (as generation.provision.cache_dir finds it, without platformdirs)."""
    if os.environ.get("GEOLLM_CACHE_DIR"):
        return Path(os.environ["GEOLLM_CACHE_DIR"])
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "geollm-explorer"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "geollm-explorer"


def build_key(args: str) -> str:
    compiler = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout.split("\n")[0] \
        if shutil.which("cc") else ""
    text = "\n".join([VERSION, args, platform.system(), platform.machine(), compiler])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def build_dir(args: str) -> Path:
    return cache_root() / "llama.cpp" / f"{VERSION}-{build_key(args)}"


def tool_paths(args: str | None = None) -> dict[str, Path]:
    """Where llama-server and llama-bench of this machine's build are (they may not exist yet)."""
    folder = build_dir(machine_args()[0] if args is None else args) / "build" / "bin"
    return {name: folder / name for name in TOOLS}


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    print(f"  {what}: {' '.join(command)}", flush=True)
    if subprocess.run(command, env=env).returncode != 0:
        raise SystemExit(f"llama.cpp build failed while {what} (command above). Its output is above; "
                         "run `make` again, or set CMAKE_ARGS to choose the flags yourself.")


def _pip(python: str, *args: str) -> list[str]:
    return [python, "-m", "pip", "--disable-pip-version-check", "-q", *args, "--retries", "10"]


def _wheel(folder: Path, python: str, args: str) -> Path:
    """The cached wheel, built from the sdist (fetched once) with `args` if missing."""
    wheels = sorted((folder / "wheel").glob("llama_cpp_python-*.whl"))
    if wheels:
        return wheels[0]
    sdists = sorted((folder / "sdist").glob("llama_cpp_python-*.tar.gz"))
    if not sdists:
        _run(_pip(python, "download", "--no-deps", "--no-binary", ":all:", f"llama-cpp-python=={VERSION}",
                  "-d", str(folder / "sdist")), "fetching the source")
        sdists = sorted((folder / "sdist").glob("llama_cpp_python-*.tar.gz"))
    source = folder / "src" / f"llama_cpp_python-{VERSION}"
    if not source.is_dir():
        with tarfile.open(sdists[0]) as archive:
            archive.extractall(folder / "src", filter="data")
    env = {**os.environ, "CMAKE_ARGS": args, "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 1),
           "CMAKE_GENERATOR": "Unix Makefiles"}
    print(f"Compiling llama-cpp-python {VERSION} (about 8 minutes on 2 cores) with: {args or 'upstream defaults'}",
          flush=True)
    _run(_pip(python, "wheel", "--no-deps", str(source), "-w", str(folder / "wheel"),
              f"--config-settings=build-dir={folder / 'build'}"), "compiling the wheel", env)
    return sorted((folder / "wheel").glob("llama_cpp_python-*.whl"))[0]


def _tools(folder: Path, python: str) -> None:
    """llama-server and llama-bench from the wheel's build tree: only the tools compile, ggml is reused."""
    bins = folder / "build" / "bin"
    if all((bins / name).is_file() for name in TOOLS):
        return
    cmake = shutil.which("cmake")
    if cmake is None:  # the wheel was built with an isolated cmake; bring one into the venv
        _run(_pip(python, "install", "cmake"), "installing cmake")
        cmake = str(Path(python).parent / "cmake")
    print("Building llama-server and llama-bench from the same source (about 3 minutes)…", flush=True)
    _run([cmake, str(folder / "build"), "-DLLAVA_BUILD=OFF", "-DLLAMA_BUILD_TOOLS=ON", "-DLLAMA_BUILD_SERVER=ON",
          "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_OPENSSL=OFF"], "configuring the tools")
    _run([cmake, "--build", str(folder / "build"), "--target", *TOOLS, "-j", str(os.cpu_count() or 1)],
         "compiling the tools")


def install(venv: Path) -> int:
    args, origin = machine_args()
    folder = build_dir(args)
    python = str(venv / "bin" / "python")
    marker = venv / MARKER
    print(f"llama.cpp build flags ({origin}): {args or '(none)'}", flush=True)
    if marker.is_file() and marker.read_text().strip() == folder.name:
        print(f"llama-cpp-python {VERSION} for these flags is installed (cache {folder}).")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        wheel = _wheel(folder, python, args)
        _run(_pip(python, "install", "--force-reinstall", "--no-deps", str(wheel)), "installing the wheel")
        marker.write_text(folder.name + "\n")
    _tools(folder, python)
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "flags"
    if command == "flags":
        args, origin = machine_args()
        print(f"{args}\n# {origin}; cache {build_dir(args)}")
        return 0
    if command == "install" and len(argv) == 2:
        return install(Path(argv[1]).resolve())
    if command == "clean" and len(argv) == 2:
        folder = build_dir(machine_args()[0])
        shutil.rmtree(folder, ignore_errors=True)
        (Path(argv[1]) / MARKER).unlink(missing_ok=True)
        print(f"removed {folder}; the next make compiles llama.cpp again")
        return 0
    if command == "tools":
        for name, path in tool_paths().items():
            print(f"{name}: {path}{'' if path.is_file() else '  (not built yet: run make)'}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
