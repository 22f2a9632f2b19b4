# syntax=docker/dockerfile:1
# Build: the same command as .ci/run (cgo is needed by DuckDB).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -o bin/socrx .

# Run: a small glibc image (DuckDB's static library needs glibc and libstdc++).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data socrx
COPY --from=build /src/bin/socrx /usr/local/bin/socrx
USER socrx
WORKDIR /data
ENTRYPOINT ["socrx"]
CMD ["--help"]
