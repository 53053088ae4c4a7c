defmodule InteropWeb.PresenceChannel do
  @moduledoc """
  `presence:room:*`: tracks the user with `{online_at, status: "online"}`;
  `update_status {status}` updates the meta (members see it as a leave and a join).
  """
  use Phoenix.Channel
  alias Interop.Presence

  @impl true
  def join(_topic, _params, socket) do
    send(self(), :after_join)
    {:ok, %{joined: socket.topic}, socket}
  end

  @impl true
  def handle_info(:after_join, socket) do
    {:ok, _} = Presence.track(socket, socket.assigns.user, %{online_at: System.system_time(:second), status: "online"})
    push(socket, "presence_state", Presence.list(socket))
    {:noreply, socket}
  end

  @impl true
  def handle_in("update_status", %{"status" => status}, socket)
      when is_binary(status) and status != "" and byte_size(status) <= 64 do
    {:ok, _} = Presence.update(socket, socket.assigns.user, &Map.put(&1, :status, status))
    {:reply, {:ok, %{status: status}}, socket}
  end

  def handle_in("update_status", _payload, socket),
    do: {:reply, {:error, %{message: "status must be a non-empty string"}}, socket}

  def handle_in("ping", _payload, socket),
    do: {:reply, {:ok, %{pong: true, timestamp: System.system_time(:second)}}, socket}

  def handle_in(_event, _payload, socket), do: {:reply, {:error, %{reason: "unknown event"}}, socket}
end
