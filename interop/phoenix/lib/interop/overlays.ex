defmodule Interop.Overlays do
  @moduledoc """
  Live data for the demo overlays (the same sources and rates as phoenix-mock's built-in
  scenario): OBS scene changes, Twitch events, system status, the omnibar rotation and
  takeovers, dashboard stats and `events:*` batches, broadcast on their topics.
  """
  use GenServer
  alias InteropWeb.Endpoint

  @scenes ["Starting Soon", "Just Chatting", "Gameplay", "Be Right Back", "Ending"]
  @users ["ada", "grace", "linus", "margaret", "ken"]
  @services [%{name: "obs", status: "healthy"}, %{name: "twitch", status: "healthy"}, %{name: "database", status: "healthy"}]
  @queue ["Follow for more streams!", "Next stream: Friday 19:00", "Thanks to our sponsors"]
  @lobby_users ["ada", "grace", "linus"]
  @lobby_lines ["hello, lobby!", "stream starts in 5", "who else is here?", "nice overlay"]
  @chat_lines ["gg!", "that was close", "hi from the chat", "what game is next?", "PogChamp"]
  @ticks [scene: 6_000, twitch: 4_000, system: 5_000, rotate: 8_000, dashboard: 2_000, events: 100, lobby: 4_000, chat: 6_000]
  @max_force_seconds 600

  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  def now, do: System.system_time(:millisecond)

  @doc "OBS state: `{scene, scenes, streaming, recording, timestamp}`."
  def obs_state, do: GenServer.call(__MODULE__, :obs_state)
  def set_scene(scene), do: GenServer.call(__MODULE__, {:set_scene, scene})
  def stream_state, do: GenServer.call(__MODULE__, :stream_state)
  def force(content, type, seconds), do: GenServer.call(__MODULE__, {:force, content, type, seconds})
  def enqueue(content), do: GenServer.call(__MODULE__, {:enqueue, content})
  def next_id, do: GenServer.call(__MODULE__, :next_id)
  def max_force_seconds, do: @max_force_seconds

  def system_status do
    health = Float.round(98.5 - rem(div(now(), 1000), 7) * 0.1, 1)
    %{summary: %{health_percentage: health, services_up: length(@services), services_total: length(@services)},
      services: @services, timestamp: now()}
  end

  def dashboard_stats("dashboard:" <> room) do
    t = now()
    %{room: room, viewers: 1200 + rem(div(t, 1000), 97), followers: 52_000 + rem(div(t, 60_000), 1000),
      uptime_s: rem(div(t, 1000), 86_400), timestamp: t}
  end

  @impl true
  def init(nil) do
    for {tick, ms} <- @ticks, do: :timer.send_interval(ms, {:tick, tick})
    {:ok, %{scene: 0, rotation: 0, forced: nil, extra: [], id: 0, twitch: 0, line: 0}}
  end

  @impl true
  def handle_call(:obs_state, _from, s), do: {:reply, obs(s), s}
  def handle_call(:stream_state, _from, s), do: {:reply, stream(s), s}
  def handle_call(:next_id, _from, s), do: {:reply, s.id + 1, %{s | id: s.id + 1}}

  def handle_call({:set_scene, scene}, _from, s) do
    case Enum.find_index(@scenes, &(&1 == scene)) do
      nil -> {:reply, :error, s}
      i -> {:reply, :ok, change_scene(s, i)}
    end
  end

  def handle_call({:force, content, type, seconds}, _from, s) do
    until = now() + seconds * 1000
    Process.send_after(self(), {:unforce, until}, seconds * 1000)
    s = %{s | forced: %{content: content, type: type, until: until}}
    broadcast_stream(s)
    {:reply, until, s}
  end

  def handle_call({:enqueue, content}, _from, s) do
    s = %{s | extra: s.extra ++ [content]}
    broadcast_stream(s)
    {:reply, :ok, s}
  end

  @impl true
  def handle_info({:tick, :scene}, s), do: {:noreply, change_scene(s, s.scene + 1)}

  def handle_info({:tick, :rotate}, s) do
    s = %{s | rotation: s.rotation + 1}
    broadcast_stream(s)
    {:noreply, s}
  end

  def handle_info({:tick, :twitch}, s) do
    n = s.twitch + 1
    user = Enum.at(@users, rem(n, length(@users)))
    {type, data} =
      case rem(n, 3) do
        0 -> {"follow", %{user: user}}
        1 -> {"subscription", %{user: user, tier: 1 + rem(n, 3), months: rem(n, 24)}}
        _ -> {"cheer", %{user: user, bits: 100 * (1 + rem(n, 10))}}
      end
    Endpoint.broadcast("overlay:twitch", "twitch_event", %{type: type, data: data, timestamp: now()})
    {:noreply, %{s | twitch: n}}
  end

  # the lobby and chat rooms are never empty: shouts, and a viewer who types, then talks
  def handle_info({:tick, :lobby}, s) do
    n = s.line + 1
    shout = %{from: Enum.at(@lobby_users, rem(n, length(@lobby_users))), body: Enum.at(@lobby_lines, rem(n, length(@lobby_lines)))}
    Endpoint.broadcast("room:lobby", "shout", shout)
    {:noreply, %{s | line: n}}
  end

  def handle_info({:tick, :chat}, s) do
    line = Enum.at(@chat_lines, rem(s.line + 1, length(@chat_lines)))

    for topic <- joined("chat:room:") do
      Endpoint.broadcast(topic, "user_typing", %{user: "chatbot", typing: true})
      Process.send_after(self(), {:chat_say, topic, line}, 1_500)
    end

    {:noreply, %{s | line: s.line + 1}}
  end

  def handle_info({:chat_say, topic, line}, s) do
    id = s.id + 1
    Endpoint.broadcast(topic, "new_message", %{id: Integer.to_string(id), user: "chatbot", body: line, timestamp: now()})
    Endpoint.broadcast(topic, "user_typing", %{user: "chatbot", typing: false})
    {:noreply, %{s | id: id}}
  end

  def handle_info({:tick, :system}, s) do
    Endpoint.broadcast("overlay:system", "system_status", system_status())
    {:noreply, s}
  end

  def handle_info({:tick, :dashboard}, s) do
    for topic <- joined("dashboard:"), do: Endpoint.broadcast(topic, "dashboard_update", dashboard_stats(topic))
    {:noreply, s}
  end

  def handle_info({:tick, :events}, s) do
    # 20 events a second, in batches of what 100 ms gathered
    id =
      Enum.reduce(joined("events:"), s.id, fn topic, id ->
        events = for i <- 1..2, do: %{id: id + i, type: "tick", value: rem((id + i) * 37 + i, 100), timestamp: now()}
        Endpoint.broadcast(topic, "batch_updates", %{events: events})
        id + 2
      end)
    {:noreply, %{s | id: id}}
  end

  def handle_info({:unforce, until}, %{forced: %{until: until}} = s) do
    s = %{s | forced: nil}
    broadcast_stream(s)
    {:noreply, s}
  end

  def handle_info({:unforce, _}, s), do: {:noreply, s}

  defp obs(s) do
    %{scene: Enum.at(@scenes, rem(s.scene, length(@scenes))), scenes: @scenes, streaming: true, recording: false, timestamp: now()}
  end

  defp change_scene(s, i) do
    previous = obs(s).scene
    s = %{s | scene: rem(i, length(@scenes))}
    event = %{type: "scene_changed", data: %{scene: obs(s).scene, previous: previous}, timestamp: now()}
    Endpoint.broadcast("overlay:obs", "obs_event", event)
    s
  end

  defp stream(s) do
    queue = @queue ++ s.extra
    current =
      case s.forced do
        %{content: c, type: t, until: u} -> %{type: t, content: c, forced: true, until: u}
        nil -> %{type: "rotation", content: Enum.at(queue, rem(s.rotation, length(queue))), forced: false}
      end
    %{current: current, queue: queue, timestamp: now()}
  end

  defp broadcast_stream(s) do
    for topic <- ["stream:overlays", "stream:queue"], do: Endpoint.broadcast(topic, "stream_state", stream(s))
  end

  # topics with a subscriber, as Presence-free bookkeeping: the channels register on join
  defp joined(prefix) do
    Registry.select(Interop.Topics, [{{:"$1", :_, :_}, [], [:"$1"]}])
    |> Enum.filter(&String.starts_with?(&1, prefix))
    |> Enum.uniq()
  end
end
