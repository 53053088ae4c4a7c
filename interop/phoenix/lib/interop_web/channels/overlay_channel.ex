defmodule InteropWeb.OverlayChannel do
  @moduledoc """
  The demo overlays' topics (mock-server/README.md, "Overlay channels"): `overlay:obs`,
  `overlay:twitch`, `overlay:system`, `stream:overlays`, `stream:queue`, `dashboard:<room>`,
  `chat:room:<id>`, `comments:stream:<id>`, `events:<name>`. Every one answers `ping` with
  `{pong: true, timestamp, ...payload}`; errors are `{message}` for bad input and
  `{reason}` for policy.
  """
  use Phoenix.Channel
  alias Interop.Overlays

  @typing_timeout_ms 3_000
  @max_message_length 500

  @impl true
  def join(topic, _params, socket) do
    Registry.register(Interop.Topics, topic, nil)
    send(self(), :after_join)
    {:ok, %{joined: topic}, socket}
  end

  @impl true
  def handle_info(:after_join, socket) do
    case socket.topic do
      "overlay:obs" -> push(socket, "initial_state", Overlays.obs_state())
      "overlay:system" -> push(socket, "system_status", Overlays.system_status())
      "stream:" <> _ -> push(socket, "stream_state", Overlays.stream_state())
      _ -> :ok
    end
    {:noreply, socket}
  end

  def handle_info({:typing_timeout, generation}, socket) do
    if socket.assigns[:typing] == generation, do: {:noreply, stop_typing(socket)}, else: {:noreply, socket}
  end

  @impl true
  def handle_in("ping", payload, socket) do
    {:reply, {:ok, Map.merge(object(payload), %{"pong" => true, "timestamp" => Overlays.now()})}, socket}
  end

  def handle_in(event, payload, socket), do: handle(socket.topic, event, object(payload), socket)

  defp handle("overlay:obs", "obs:status", _, socket) do
    s = Overlays.obs_state()
    {:reply, {:ok, Map.take(s, [:scene, :streaming, :recording])}, socket}
  end

  defp handle("overlay:obs", "obs:scenes", _, socket) do
    s = Overlays.obs_state()
    {:reply, {:ok, %{scenes: s.scenes, current: s.scene}}, socket}
  end

  defp handle("overlay:obs", "obs:set_scene", p, socket) do
    case Overlays.set_scene(text(p, "scene")) do
      :ok -> {:reply, {:ok, %{scene: text(p, "scene")}}, socket}
      :error -> {:reply, {:error, %{message: "unknown scene"}}, socket}
    end
  end

  defp handle("overlay:system", "system:status", _, socket), do: {:reply, {:ok, Overlays.system_status()}, socket}
  defp handle("stream:" <> _, "request_state", _, socket), do: {:reply, {:ok, Overlays.stream_state()}, socket}

  defp handle("stream:" <> _, "force_content", p, socket) do
    max = Overlays.max_force_seconds()
    duration = p["duration"] || 10

    cond do
      text(p, "content") == nil -> {:reply, {:error, %{message: "content is required"}}, socket}
      not is_integer(duration) or duration < 1 or duration > max ->
        {:reply, {:error, %{message: "duration must be 1..#{max} seconds"}}, socket}
      true ->
        until = Overlays.force(text(p, "content"), text(p, "type") || "announcement", duration)
        {:reply, {:ok, %{forced: text(p, "content"), duration: duration, until: until}}, socket}
    end
  end

  defp handle("stream:queue", "enqueue", p, socket) do
    case text(p, "content") do
      nil -> {:reply, {:error, %{message: "content is required"}}, socket}
      content -> Overlays.enqueue(content) && {:reply, {:ok, %{queued: true}}, socket}
    end
  end

  defp handle("dashboard:" <> _ = topic, "dashboard:stats", _, socket),
    do: {:reply, {:ok, Overlays.dashboard_stats(topic)}, socket}

  defp handle("chat:room:" <> _, "new_message", p, socket) do
    case text(p, "body") do
      nil ->
        {:reply, {:error, %{message: "body is required"}}, socket}

      body ->
        if String.length(body) > @max_message_length do
          {:reply, {:error, %{message: "message longer than #{@max_message_length} characters"}}, socket}
        else
          id = Integer.to_string(Overlays.next_id())
          broadcast!(socket, "new_message", %{id: id, user: socket.assigns.user, body: body, timestamp: Overlays.now()})
          {:reply, {:ok, %{id: id}}, stop_typing(socket)}
        end
    end
  end

  defp handle("chat:room:" <> _, "typing_start", _, socket) do
    generation = Overlays.next_id()
    broadcast!(socket, "user_typing", %{user: socket.assigns.user, typing: true})
    Process.send_after(self(), {:typing_timeout, generation}, @typing_timeout_ms)
    {:reply, {:ok, %{}}, assign(socket, :typing, generation)}
  end

  defp handle("chat:room:" <> _, "typing_stop", _, socket), do: {:reply, {:ok, %{}}, stop_typing(socket)}

  defp handle("comments:stream:" <> _, "new_comment", p, socket) do
    now = Overlays.now()
    recent = Enum.filter(socket.assigns[:comments] || [], &(now - &1 < 1_000))

    cond do
      text(p, "body") == nil -> {:reply, {:error, %{message: "body is required"}}, socket}
      recent != [] -> {:reply, {:error, %{reason: "rate_limit"}}, assign(socket, :comments, recent)}
      true ->
        id = Integer.to_string(Overlays.next_id())
        broadcast!(socket, "new_comment", %{id: id, user: socket.assigns.user, body: text(p, "body"), timestamp: now})
        {:reply, {:ok, %{id: id}}, assign(socket, :comments, [now | recent])}
    end
  end

  defp handle(_topic, _event, _payload, socket), do: {:reply, {:error, %{reason: "unknown event"}}, socket}

  defp stop_typing(socket) do
    if socket.assigns[:typing] do
      broadcast!(socket, "user_typing", %{user: socket.assigns.user, typing: false})
    end
    assign(socket, :typing, nil)
  end

  defp object(payload) when is_map(payload), do: payload
  defp object(_), do: %{}

  defp text(p, key) do
    case p[key] do
      s when is_binary(s) -> if String.trim(s) == "", do: nil, else: String.trim(s)
      _ -> nil
    end
  end
end
