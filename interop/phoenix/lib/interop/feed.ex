defmodule Interop.Feed do
  @moduledoc """
  The server side of reliable delivery (docs/reliable-delivery.md): each published event
  gets its topic's next `seq`, the last #{1_000} events of a topic are held for replay,
  and subscribers get `{:feed_event, event}` over PubSub. Publishing goes through one
  process, so every subscriber sees a topic's events in `seq` order.
  """
  use GenServer

  @buffer 1_000

  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  @doc "Subscribes the caller to `{:feed_event, event}` messages of `topic`."
  def subscribe(topic), do: Phoenix.PubSub.subscribe(Interop.PubSub, "feed:" <> topic)

  @doc "Stamps `data` with the topic's next seq, holds it and broadcasts it; returns the seq."
  def publish(topic, data), do: GenServer.call(__MODULE__, {:publish, topic, data})

  @doc "The last seq given out on `topic` (0 before the first event)."
  def last_seq(topic) do
    case :ets.lookup(__MODULE__, topic) do
      [{^topic, seq, _events}] -> seq
      [] -> 0
    end
  end

  @doc "The held events of `topic` after `seq`, oldest first."
  def since(topic, seq) do
    case :ets.lookup(__MODULE__, topic) do
      [{^topic, _last, events}] -> events |> Enum.reverse() |> Enum.filter(&(&1.seq > seq))
      [] -> []
    end
  end

  @doc "What subscribers acknowledged (kept for the contract; the buffer is bounded by size)."
  def ack(_topic, _user, _seq), do: :ok

  @impl true
  def init(nil) do
    :ets.new(__MODULE__, [:named_table, :protected, read_concurrency: true])
    {:ok, nil}
  end

  @impl true
  def handle_call({:publish, topic, data}, _from, state) do
    seq = last_seq(topic) + 1
    event = %{seq: seq, data: data, timestamp: System.system_time(:millisecond)}
    held = case :ets.lookup(__MODULE__, topic) do
      [{^topic, _, events}] -> Enum.take([event | events], @buffer)
      [] -> [event]
    end
    :ets.insert(__MODULE__, {topic, seq, held})
    Phoenix.PubSub.broadcast(Interop.PubSub, "feed:" <> topic, {:feed_event, event})
    {:reply, seq, state}
  end
end
