# Multi-stage build: compile in the Rust image, run from a small Debian base as a non-root user.
# No secrets are baked in: give the password at run time through NEO4J_PASSWORD or a mounted
# file (--neo4j.password-file).
# The source has no .git here: give the revision for neo4j_exporter_build_info, e.g.
#   docker build --build-arg REVISION=$(git rev-parse --short=12 HEAD) .
FROM rust:1-bookworm AS build
ARG REVISION=unknown
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY benches ./benches
# The shipped alert rules are compiled in: the monitoring check asks Prometheus for each one.
COPY alerts ./alerts
RUN EXPORTER_REVISION="$REVISION" cargo build --release --locked && strip target/release/neo4j-migration-exporter

FROM debian:bookworm-slim
# CA certificates: bolt+s:// and neo4j+s:// verify Neo4j's certificate against the system roots.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home exporter
COPY --from=build /src/target/release/neo4j-migration-exporter /usr/local/bin/neo4j-migration-exporter
USER 10001
EXPOSE 10687
# The exporter asks its own /healthz, at the address and port PID 1 (the exporter) was given
# by flag, environment or config file, TLS or not.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/usr/local/bin/neo4j-migration-exporter", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/neo4j-migration-exporter"]
