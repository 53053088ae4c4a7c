import Config

config :interop, InteropWeb.Endpoint,
  adapter: Bandit.PhoenixAdapter,
  url: [host: "127.0.0.1"],
  server: true,
  # the demo overlays and the browser tests are served from other origins (the mock
  # server, wasm-bindgen-test's runner); a production app lists its own (mock-server/README.md)
  check_origin: false,
  secret_key_base: "phoenix-wasm-interop-phoenix-wasm-interop-phoenix-wasm-interop-0123",
  pubsub_server: Interop.PubSub,
  render_errors: [formats: [json: InteropWeb.ErrorJSON], layout: false]

config :phoenix, :json_library, Jason
config :logger, level: :warning
