defmodule Interop.Faults do
  @moduledoc """
  The fault switches behind the /admin routes: muted heartbeats (per user or for all),
  refused connects, and "drop the connection of the next push"; and the connects accepted
  whose socket process has not registered yet (the upgrade's 101 goes out before it does),
  which the routes that act on sockets wait for.
  """
  use Agent

  def start_link(_), do: Agent.start_link(fn -> %{mute: %{}, pause_until: 0, pause_transport: nil, drop_next: false, opening: []} end, name: __MODULE__)

  defp now, do: System.system_time(:millisecond)

  @doc "Stops answering heartbeats of `user` (nil: everyone) for `ms`."
  def mute(user, ms), do: Agent.update(__MODULE__, &put_in(&1, [:mute, user], now() + ms))

  def muted?(user) do
    Agent.get(__MODULE__, fn s -> Enum.any?([user, nil], &(Map.get(s.mute, &1, 0) > now())) end)
  end

  @doc "Refuses socket connects for `ms`."
  @doc "Refuses connects for `ms`: over every transport (nil), or only `:websocket` or `:longpoll`."
  def pause(ms, transport \\ nil),
    do: Agent.update(__MODULE__, &Map.merge(&1, %{pause_until: now() + ms, pause_transport: transport}))

  @doc "Whether connects over `transport` are refused now."
  def paused?(transport),
    do: Agent.get(__MODULE__, &(&1.pause_until > now() and Map.get(&1, :pause_transport) in [nil, transport]))

  @doc "A connect of `user` was accepted: its socket process registers next (`opened/1`)."
  def opening(user), do: Agent.update(__MODULE__, &%{&1 | opening: &1.opening ++ [{user, now()}]})

  @doc "The socket process of an accepted connect of `user` registered."
  def opened(user), do: Agent.update(__MODULE__, &%{&1 | opening: List.keydelete(&1.opening, user, 0)})

  @doc """
  Returns once no connect of `user` (nil: of anyone) accepted in the last second is still
  to register, or after a second (a connect whose upgrade never finished).
  """
  def await_opened(user, waited \\ 0) do
    since = now() - 1_000
    pending? = Agent.get(__MODULE__, fn s -> Enum.any?(s.opening, fn {u, at} -> at > since and user in [nil, u] end) end)

    if pending? and waited < 1_000 do
      Process.sleep(5)
      await_opened(user, waited + 5)
    else
      :ok
    end
  end

  def arm_drop_next, do: Agent.update(__MODULE__, &%{&1 | drop_next: true})
  @doc "True once after `arm_drop_next/0`."
  def take_drop_next, do: Agent.get_and_update(__MODULE__, &{&1.drop_next, %{&1 | drop_next: false}})
end
