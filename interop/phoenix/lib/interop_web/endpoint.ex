defmodule InteropWeb.Endpoint do
  use Phoenix.Endpoint, otp_app: :interop

  # as `mix phx.new` generates it (no subprotocols), with LongPoll on; FaultySocket is
  # UserSocket with the /admin fault switches in front
  socket "/socket", InteropWeb.FaultySocket, websocket: true, longpoll: true

  # the demo overlays (www/) and the npm package (pkg/), as phoenix-mock serves them, so
  # pages and tests can load from this origin too
  @repo Path.expand("../../../..", __DIR__)
  plug Plug.Static, at: "/pkg", from: Path.join(@repo, "pkg"), gzip: false
  plug Plug.Static, at: "/", from: Path.join(@repo, "www"), gzip: false

  plug InteropWeb.Admin
end
