defmodule Interop.Faults do
  @moduledoc """
  The fault switches behind the /admin routes: muted heartbeats (per user or for all),
  refused connects, and "drop the connection of the next push".
  """
  use Agent

  def start_link(_), do: Agent.start_link(fn -> %{mute: %{}, pause_until: 0, pause_transport: nil, drop_next: false} end, name: __MODULE__)

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

  def arm_drop_next, do: Agent.update(__MODULE__, &%{&1 | drop_next: true})
  @doc "True once after `arm_drop_next/0`."
  def take_drop_next, do: Agent.get_and_update(__MODULE__, &{&1.drop_next, %{&1 | drop_next: false}})
end
