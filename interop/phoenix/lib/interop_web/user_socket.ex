defmodule InteropWeb.UserSocket do
  @moduledoc """
  The socket of the test contract: the `token` param (`valid`, or `user:<id>`) names the
  user; anything else is refused (HTTP 403). `id/1` lets `/admin/disconnect` kick a
  user's sockets with Phoenix's own `disconnect` broadcast.
  """
  use Phoenix.Socket

  channel "room:*", InteropWeb.RoomChannel
  channel "presence:room:*", InteropWeb.PresenceChannel
  channel "reliable:*", InteropWeb.ReliableChannel
  channel "overlay:*", InteropWeb.OverlayChannel
  channel "stream:*", InteropWeb.OverlayChannel
  channel "dashboard:*", InteropWeb.OverlayChannel
  channel "chat:room:*", InteropWeb.OverlayChannel
  channel "comments:stream:*", InteropWeb.OverlayChannel
  channel "events:*", InteropWeb.OverlayChannel

  @impl true
  def connect(params, socket, _connect_info) do
    with false <- Interop.Faults.paused?(socket.transport),
         {:ok, user} <- user_for(params["token"]) do
      {:ok, assign(socket, :user, user)}
    else
      _ -> :error
    end
  end

  @impl true
  def id(socket), do: "user_socket:" <> socket.assigns.user

  @doc "The user a token names: `valid` → `valid`, `user:<id>` → `<id>`."
  def user_for("valid"), do: {:ok, "valid"}
  def user_for("user:" <> id) when id != "", do: {:ok, id}
  def user_for(_), do: :error
end
