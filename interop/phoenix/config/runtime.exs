import Config

# PORT=0 picks a free port; the app prints the one it got ("listening on http://…").
config :interop, InteropWeb.Endpoint,
  http: [ip: {127, 0, 0, 1}, port: String.to_integer(System.get_env("PORT") || "4002")]
