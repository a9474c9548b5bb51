# syntax=docker/dockerfile:1
# Multi-stage build: a static binary (pure-Go SQLite, no cgo) on distroless,
# running as a non-root user, with time-zone data built in (time/tzdata) and
# CA certificates from the base image.

FROM golang:1.26-bookworm AS modules
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces fpdf with the patched copy in third_party (its README.motcua.md).
COPY third_party ./third_party
RUN go mod download

FROM modules AS build
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/motcua ./cmd/motcua

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/motcua /usr/local/bin/motcua
WORKDIR /data
VOLUME ["/data"]
ENV MOTCUA_ADDR=0.0.0.0:8080 \
    MOTCUA_DATABASE_URL=sqlite:/data/motcua.db \
    MOTCUA_TIMEZONE=Asia/Ho_Chi_Minh
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/motcua"]
CMD ["serve"]
