defmodule Interop.Faults do
  @moduledoc """
  The fault switches behind the /admin routes: muted heartbeats (per user or for all),
  refused connects, and "drop the connection of the next push".
  """
  use Agent

  def start_link(_), do: Agent.start_link(fn -> %{mute: %{}, pause_until: 0, drop_next: false} end, name: __MODULE__)

  defp now, do: System.system_time(:millisecond)

  @doc "Stops answering heartbeats of `user` (nil: everyone) for `ms`."
  def mute(user, ms), do: Agent.update(__MODULE__, &put_in(&1, [:mute, user], now() + ms))

  def muted?(user) do
    Agent.get(__MODULE__, fn s -> Enum.any?([user, nil], &(Map.get(s.mute, &1, 0) > now())) end)
  end

  @doc "Refuses socket connects for `ms`."
  def pause(ms), do: Agent.update(__MODULE__, &%{&1 | pause_until: now() + ms})
  def paused?, do: Agent.get(__MODULE__, &(&1.pause_until > now()))

  def arm_drop_next, do: Agent.update(__MODULE__, &%{&1 | drop_next: true})
  @doc "True once after `arm_drop_next/0`."
  def take_drop_next, do: Agent.get_and_update(__MODULE__, &{&1.drop_next, %{&1 | drop_next: false}})
end
