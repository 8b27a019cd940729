#!/usr/bin/env bash
# The GPU check (deploy/gpu/README.md): on a CUDA host with Java 17 and a libtorch or a Python torch
# on disk, and no network, finds the libtorch, tells DJL where it is (PYTORCH_LIBRARY_PATH,
# PYTORCH_VERSION, PYTORCH_FLAVOR), checks it matches the pytorch-jni in the jar folder, and runs
# io.streamlip.trainer.device.GpuCheck, which prints ONE JSON object on stdout.
#
#   deploy/gpu/check.sh [--smoke] [--no-tf32] [--print-env] [GpuCheck options]
#
# --smoke       tiny model, small batches, any device (a CPU libtorch is fine): minutes on a CPU
# --no-tf32     leave float32 matmuls in full float32 (default: TF32 on)
# --print-env   print what was found and the java command, run nothing
# GpuCheck options: --device auto|cpu|gpu --model PRESET --vocab N --batch N --warmup N --steps N
#                   --loss-batch N --loss-chunks N --threads N --seed N
#
# Environment:
#   LIBTORCH_HOME       a libtorch folder (or its lib/): the only one tried when set
#   PYTHON              the Python asked for `import torch` (default python3)
#   LIBTORCH_SEARCH_PATH  folders tried last, ':'-separated (default /opt/libtorch,
#                       /usr/local/libtorch, $HOME/libtorch, /usr/lib/libtorch)
#   JAVA / JAVA_HOME    the Java 17 to use (default: java on PATH)
#   STREAMLIP_GPU_LIB   the jar folder (default trainer/target/gpu-check/lib beside this checkout)
#   STREAMLIP_DJL_CACHE where DJL puts its JNI library (default $DJL_CACHE_DIR or
#                       ~/.cache/streamlip/djl); must be writable
#   STREAMLIP_JNI_FLAVOR=cu128  try the cu128 JNI glue with another CUDA 12 libtorch (unverified)
#   STREAMLIP_GPU_CHECK_XMX     the JVM heap (default 6g, 1g with --smoke)
#
# Exit status: 0 every part ran; 1 a part failed (the JSON's "error" says which); 2 bad GpuCheck
# options; 3 refused here (no Java 17, no jar folder, no matching libtorch: stderr says what is needed).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIB_DIR="${STREAMLIP_GPU_LIB:-$ROOT/trainer/target/gpu-check/lib}"

refuse() {
  echo "check.sh: $*" >&2
  exit 3
}
note() { echo "check.sh: $*" >&2; }

SMOKE=0
TF32=1
PRINT_ENV=0
JAVA_ARGS=()
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1; JAVA_ARGS+=("$arg") ;;
    --no-tf32) TF32=0 ;;
    --print-env) PRINT_ENV=1 ;;
    -h|--help) sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) JAVA_ARGS+=("$arg") ;;
  esac
done

# ---- Java 17 -----------------------------------------------------------------------------------
if [[ -n "${JAVA:-}" ]]; then
  JAVA_BIN="$JAVA"
elif [[ -n "${JAVA_HOME:-}" ]]; then
  JAVA_BIN="$JAVA_HOME/bin/java"
else
  JAVA_BIN="$(command -v java || true)"
fi
[[ -n "$JAVA_BIN" && -x "$JAVA_BIN" ]] ||
  refuse "no Java found: install Java 17 (e.g. Debian's openjdk-17-jre-headless) or set JAVA_HOME"
JAVA_VERSION="$("$JAVA_BIN" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
JAVA_MAJOR="${JAVA_VERSION%%.*}"
[[ "$JAVA_MAJOR" == "1" ]] && JAVA_MAJOR="$(echo "$JAVA_VERSION" | cut -d. -f2)"
[[ "$JAVA_MAJOR" =~ ^[0-9]+$ ]] ||
  refuse "cannot read the version of $JAVA_BIN ('$JAVA_VERSION'): Java 17 is needed"
((JAVA_MAJOR >= 17)) ||
  refuse "$JAVA_BIN is Java $JAVA_VERSION: Java 17 is needed (set JAVA_HOME to a JDK or JRE 17)"

# ---- the jar folder and the libtorch its pytorch-jni binds ------------------------------------
[[ -d "$LIB_DIR" ]] ||
  refuse "no jar folder at $LIB_DIR: build it where Maven works with
  ./mvnw -B -pl trainer -am package -DskipTests
and copy trainer/target/gpu-check beside this checkout (or set STREAMLIP_GPU_LIB)"
JNI_JAR="$(cd "$LIB_DIR" && ls pytorch-jni-*.jar 2>/dev/null | head -n 1 || true)"
[[ "$JNI_JAR" =~ ^pytorch-jni-([0-9]+\.[0-9]+\.[0-9]+)-([0-9]+\.[0-9]+\.[0-9]+)\.jar$ ]] ||
  refuse "$LIB_DIR holds no pytorch-jni-<libtorch>-<djl>.jar: rebuild the folder"
TORCH_NEEDED="${BASH_REMATCH[1]}"
DJL_VERSION="${BASH_REMATCH[2]}"
[[ -f "$LIB_DIR/streamlip-trainer-0.1.0-SNAPSHOT.jar" || -n "$(ls "$LIB_DIR"/streamlip-trainer-*.jar 2>/dev/null)" ]] ||
  refuse "$LIB_DIR holds no streamlip-trainer jar: rebuild the folder"
# The JNI glue the jar carries for this platform (jnilib/linux-x86_64/<flavor>/libdjl_torch.so).
if command -v unzip >/dev/null 2>&1; then
  JNI_FLAVORS="$(unzip -Z1 "$LIB_DIR/$JNI_JAR" 2>/dev/null |
    sed -n 's#^jnilib/linux-x86_64/\([^/]*\)/libdjl_torch.so$#\1#p' | tr '\n' ' ')"
else
  JNI_FLAVORS="cpu cu128" # what pytorch-jni 2.7.1-0.36.0 carries
fi
JNI_FLAVORS="${JNI_FLAVORS% }"

NEEDED="libtorch $TORCH_NEEDED for CUDA 12.8 (cxx11 ABI), which DJL $DJL_VERSION's $JNI_JAR binds:
  the LibTorch zip from pytorch.org (libtorch-cxx11-abi-shared-with-deps-$TORCH_NEEDED+cu128.zip; unpack,
  LIBTORCH_HOME=.../libtorch), or pip install torch==$TORCH_NEEDED --index-url
  https://download.pytorch.org/whl/cu128 (PYTHON=the python that has it). Other libtorch versions
  need another DJL: pytorch-jni 2.5.1-0.33.0, 2.4.0-0.30.0, 2.3.1-0.29.0 and 2.1.1-0.27.0 belong to
  DJL 0.33, 0.30, 0.29 and 0.27, whose JNI does not match DJL $DJL_VERSION's engine; the project is
  built and tested with DJL $DJL_VERSION only"

# ---- candidates: source|lib dir|version|flavor|abi -------------------------------------------
lib_dir_of() { # a libtorch root or lib folder -> the folder that holds libtorch.so
  if [[ -f "$1/libtorch.so" ]]; then
    (cd "$1" && pwd)
  elif [[ -f "$1/lib/libtorch.so" ]]; then
    (cd "$1/lib" && pwd)
  fi
}

abi_of() { # cxx11 | pre-cxx11 | unknown, from libc10.so's mangled names
  local lib="$1/libc10.so"
  if [[ ! -s "$lib" ]]; then
    echo unknown
  elif grep -q -a '__cxx11' "$lib"; then
    echo cxx11
  else
    echo pre-cxx11
  fi
}

describe_dir() { # source, lib dir -> "source|dir|version|flavor|abi" (version/flavor may be ?)
  local source="$1" dir="$2" root version="?" flavor="?" base
  root="$(dirname "$dir")"
  base="$(basename "$dir")"
  if [[ -f "$root/build-version" ]]; then # the LibTorch zip: e.g. 2.7.1+cu128
    local bv
    bv="$(tr -d '[:space:]' <"$root/build-version")"
    version="${bv%%+*}"
    [[ "$bv" == *+* ]] && flavor="${bv#*+}"
  elif [[ "$base" =~ ^([0-9]+\.[0-9]+\.[0-9]+)(-[0-9]+)?-(cpu|cu[0-9]+)(-precxx11)?-linux-x86_64$ ]]; then
    version="${BASH_REMATCH[1]}" # a libtorch DJL itself unpacked into its cache
    flavor="${BASH_REMATCH[3]}"
  elif [[ -f "$root/include/torch/csrc/api/include/torch/version.h" ]]; then
    version="$(sed -n 's/^#define TORCH_VERSION "\([0-9.]*\)".*/\1/p' \
      "$root/include/torch/csrc/api/include/torch/version.h" | head -n 1)"
    [[ -n "$version" ]] || version="?"
  fi
  if [[ "$flavor" == "?" ]]; then
    if [[ ! -e "$dir/libtorch_cuda.so" ]]; then
      flavor=cpu
    elif [[ -n "${PYTORCH_FLAVOR:-}" ]]; then
      flavor="$PYTORCH_FLAVOR"
    fi
  fi
  if [[ "$version" == "?" && -n "${PYTORCH_VERSION:-}" ]]; then
    version="${PYTORCH_VERSION%%+*}"
  fi
  echo "$source|$dir|$version|$flavor|$(abi_of "$dir")"
}

CANDIDATES=()
if [[ -n "${LIBTORCH_HOME:-}" ]]; then
  dir="$(lib_dir_of "$LIBTORCH_HOME")"
  [[ -n "$dir" ]] || refuse "LIBTORCH_HOME=$LIBTORCH_HOME holds no libtorch.so (nor lib/libtorch.so).
Needed: $NEEDED"
  CANDIDATES+=("$(describe_dir LIBTORCH_HOME "$dir")")
else
  if [[ -n "${PYTORCH_LIBRARY_PATH:-}" ]]; then
    dir="$(lib_dir_of "$PYTORCH_LIBRARY_PATH")"
    [[ -n "$dir" ]] && CANDIDATES+=("$(describe_dir PYTORCH_LIBRARY_PATH "$dir")")
  fi
  PY="${PYTHON:-python3}"
  if command -v "$PY" >/dev/null 2>&1; then
    # torch's folder, version, CUDA version ('' for a CPU build) and ABI; nothing if no torch
    if PY_OUT="$("$PY" - 2>/dev/null <<'EOF'
import os, torch
lib = os.path.join(os.path.dirname(torch.__file__), "lib")
if not os.path.isfile(os.path.join(lib, "libtorch.so")):  # a distribution's torch: where it loaded from
    loaded = [l.split()[-1] for l in open("/proc/self/maps") if "/libtorch.so" in l]
    lib = os.path.dirname(loaded[0]) if loaded else lib
print(lib)
print(torch.__version__)
print(torch.version.cuda or "")
print("cxx11" if getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", False) else "pre-cxx11")
EOF
)"; then
      mapfile -t P <<<"$PY_OUT"
      if [[ -f "${P[0]}/libtorch.so" ]]; then
        cuda="${P[2]}"
        flavor=cpu
        [[ -n "$cuda" ]] && flavor="cu${cuda//./}"
        CANDIDATES+=("python ($PY)|${P[0]}|${P[1]%%+*}|$flavor|${P[3]}")
      fi
    fi
  fi
  IFS=':' read -r -a SEARCH <<<"${LIBTORCH_SEARCH_PATH-/opt/libtorch:/usr/local/libtorch:$HOME/libtorch:/usr/lib/libtorch}"
  for d in "${SEARCH[@]}"; do
    [[ -n "$d" && -d "$d" ]] || continue
    dir="$(lib_dir_of "$d")"
    [[ -n "$dir" ]] && CANDIDATES+=("$(describe_dir "$d" "$dir")")
  done
fi
((${#CANDIDATES[@]} > 0)) || refuse "no libtorch found (LIBTORCH_HOME unset, PYTHON=${PYTHON:-python3} has no torch,
none in ${LIBTORCH_SEARCH_PATH-/opt/libtorch:/usr/local/libtorch:$HOME/libtorch:/usr/lib/libtorch}).
Needed: $NEEDED"

# ---- pick the first that fits ------------------------------------------------------------------
CHOSEN=""
REASONS=""
for c in "${CANDIDATES[@]}"; do
  IFS='|' read -r source dir version flavor abi <<<"$c"
  why=""
  jni_flavor="$flavor"
  if [[ "$version" == "?" ]]; then
    why="its version cannot be read (no build-version file, no version.h): set PYTORCH_VERSION"
  elif [[ "$version" != "$TORCH_NEEDED" ]]; then
    why="it is libtorch $version, not $TORCH_NEEDED"
  elif [[ "$flavor" == "?" ]]; then
    why="it has CUDA libraries but its CUDA version cannot be read: set PYTORCH_FLAVOR (e.g. cu128)"
  elif [[ "$abi" == "pre-cxx11" ]]; then
    why="it is a pre-cxx11 ABI build; DJL's JNI glue is built for the cxx11 ABI"
  elif [[ "$flavor" == cpu && $SMOKE == 0 ]]; then
    why="it is a CPU build; the full check needs a CUDA build (or run with --smoke)"
  elif [[ " $JNI_FLAVORS " != *" $flavor "* ]]; then
    if [[ "$flavor" == cu12* && "${STREAMLIP_JNI_FLAVOR:-}" == cu128 ]]; then
      jni_flavor=cu128
      note "using the cu128 JNI glue with a $flavor libtorch (STREAMLIP_JNI_FLAVOR; unverified)"
    else
      why="it is built for $flavor; $JNI_JAR carries JNI glue for ${JNI_FLAVORS// /, } only (set STREAMLIP_JNI_FLAVOR=cu128 to try the cu128 glue with a CUDA 12 libtorch, unverified)"
    fi
  fi
  if [[ -z "$why" ]]; then
    CHOSEN="$source|$dir|$version|$flavor|$abi|$jni_flavor"
    break
  fi
  REASONS+="  $source: $dir: $why"$'\n'
done
[[ -n "$CHOSEN" ]] || refuse "no libtorch fits:
${REASONS}Needed: $NEEDED"
IFS='|' read -r SOURCE TORCH_LIB TORCH_VERSION TORCH_FLAVOR TORCH_ABI JNI_FLAVOR <<<"$CHOSEN"

# ---- DJL's settings ----------------------------------------------------------------------------
CACHE="${STREAMLIP_DJL_CACHE:-${DJL_CACHE_DIR:-$HOME/.cache/streamlip/djl}}"
mkdir -p "$CACHE" 2>/dev/null && [[ -w "$CACHE" ]] ||
  refuse "DJL's cache $CACHE is not writable (set STREAMLIP_DJL_CACHE)"
export PYTORCH_LIBRARY_PATH="$TORCH_LIB"
export PYTORCH_VERSION="$TORCH_VERSION"
export PYTORCH_FLAVOR="$JNI_FLAVOR"
export TORCH_ALLOW_TF32_CUBLAS_OVERRIDE="$TF32"

if [[ "$TORCH_FLAVOR" == cpu ]]; then
  # glibc maps (and unmaps) every block from 64 KiB: the CPU's peak memory is then seen in VmHWM
  # instead of hiding in reused heap.
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-65536}"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JNA_PATH=""
if [[ "$TORCH_FLAVOR" == cu* ]]; then
  # DJL counts GPUs through libcudart loaded by JNA under the name "cudart"; the libtorch zip names
  # it libcudart-<hash>.so.12 and pip keeps it in nvidia/cuda_runtime/lib: link what there is.
  CUDART=""
  for f in "$TORCH_LIB"/libcudart*.so* "$TORCH_LIB"/../../nvidia/cuda_runtime/lib/libcudart.so* \
    /usr/local/cuda/lib64/libcudart.so* /usr/lib/x86_64-linux-gnu/libcudart.so*; do
    if [[ -f "$f" ]]; then
      CUDART="$f"
      break
    fi
  done
  if [[ -z "$CUDART" ]] && command -v ldconfig >/dev/null 2>&1; then
    CUDART="$(ldconfig -p | awk '/libcudart\.so/ {print $NF; exit}')"
  fi
  if [[ -n "$CUDART" ]]; then
    mkdir -p "$WORK/jna"
    ln -s "$(cd "$(dirname "$CUDART")" && pwd)/$(basename "$CUDART")" "$WORK/jna/libcudart.so"
    JNA_PATH="$WORK/jna"
  else
    note "no libcudart found beside libtorch nor in /usr/local/cuda: DJL will count no GPU"
  fi
fi

if ((SMOKE)); then XMX="${STREAMLIP_GPU_CHECK_XMX:-1g}"; else XMX="${STREAMLIP_GPU_CHECK_XMX:-6g}"; fi
CMD=("$JAVA_BIN" "-Xmx$XMX" -Dai.djl.offline=true "-DDJL_CACHE_DIR=$CACHE" "-DENGINE_CACHE_DIR=$CACHE"
  -Dai.djl.pytorch.graph_optimizer=false "-Dstreamlip.gpucheck.libtorch.source=$SOURCE")
[[ -n "$JNA_PATH" ]] && CMD+=("-Djna.library.path=$JNA_PATH")
CMD+=(-cp "$LIB_DIR/*" io.streamlip.trainer.device.GpuCheck ${JAVA_ARGS[@]+"${JAVA_ARGS[@]}"})

note "libtorch $TORCH_VERSION $TORCH_FLAVOR ($TORCH_ABI ABI) from $SOURCE: $TORCH_LIB"
note "pytorch-jni $TORCH_NEEDED-$DJL_VERSION, JNI glue $JNI_FLAVOR; Java $JAVA_VERSION; TF32 matmuls $([[ $TF32 == 1 ]] && echo on || echo off)"
if ((PRINT_ENV)); then
  echo "PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH"
  echo "PYTORCH_VERSION=$PYTORCH_VERSION"
  echo "PYTORCH_FLAVOR=$PYTORCH_FLAVOR"
  echo "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=$TORCH_ALLOW_TF32_CUBLAS_OVERRIDE"
  echo "LIBTORCH_SOURCE=$SOURCE"
  echo "LIBTORCH_ABI=$TORCH_ABI"
  echo "JAVA=$JAVA_BIN ($JAVA_VERSION)"
  echo "COMMAND=${CMD[*]}"
  exit 0
fi
set +e
"${CMD[@]}"
STATUS=$?
set -e
exit "$STATUS"
