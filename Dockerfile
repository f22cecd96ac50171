# Multi-stage build: compile in the Rust image, run from a small Debian base as a non-root user.
# No secrets are baked in: give the password at run time through NEO4J_PASSWORD or a mounted
# file (--neo4j.password-file).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY benches ./benches
RUN cargo build --release --locked && strip target/release/neo4j-migration-exporter

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home exporter
COPY --from=build /src/target/release/neo4j-migration-exporter /usr/local/bin/neo4j-migration-exporter
USER 10001
EXPOSE 10687
# bash's /dev/tcp keeps the image free of curl; /healthz answers 200 while the process lives.
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/10687 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/neo4j-migration-exporter"]
