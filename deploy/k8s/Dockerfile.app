# The streamlip command line (trainer, import, monitor) as an image. DJL fetches the CUDA build of
# libtorch on first start when the node has a GPU and network; for offline GPU nodes, mount a local
# libtorch and set PYTORCH_LIBRARY_PATH and PYTORCH_VERSION (README, "GPU").
# Build from the repository root after
#   ./mvnw -B package -pl app -am -DskipTests
#   ./mvnw -B -o -pl app dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
# then:
#   docker build -f deploy/k8s/Dockerfile.app -t streamlip/app:0.1.0 .
FROM eclipse-temurin:17-jre
WORKDIR /opt/streamlip
# As the streamlip launcher for train: OpenMP threads spin briefly before sleeping (a trainer pod has
# its cores to itself), and glibc malloc keeps libtorch's large CPU tensors in one heap instead of
# page-faulting fresh memory every step (see ../../streamlip).
ENV GOMP_SPINCOUNT=200000 MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_ARENA_MAX=1
COPY app/target/streamlip-app-0.1.0-SNAPSHOT.jar lib/
COPY app/target/lib/ lib/
ENTRYPOINT ["java", "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED", "-cp", "/opt/streamlip/lib/*", "io.streamlip.app.Streamlip"]
