defmodule InteropWeb.Endpoint do
  use Phoenix.Endpoint, otp_app: :interop

  # as `mix phx.new` generates it (no subprotocols), with LongPoll on; FaultySocket is
  # UserSocket with the /admin fault switches in front
  socket "/socket", InteropWeb.FaultySocket, websocket: true, longpoll: true

  plug InteropWeb.Admin
end
