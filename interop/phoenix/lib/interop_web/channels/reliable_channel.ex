defmodule InteropWeb.ReliableChannel do
  @moduledoc """
  The server side of reliable delivery (docs/reliable-delivery.md), as a Phoenix app
  would write it: events carry `seq`; a join with `last_seq` gets the held events after
  it, right after the reply and before any new event; a client ahead of the server (the
  server restarted and lost its feed) gets `reset: true` and everything held.

      publish {data}          -> every subscriber: event {seq, data, timestamp}; reply ok {seq}
      ack {sequence_number}   -> ok {}
  """
  use Phoenix.Channel
  alias Interop.Feed

  @impl true
  def join(topic, params, socket) do
    # subscribe before reading the buffer, so that nothing falls between the two
    :ok = Feed.subscribe(topic)
    seq = Feed.last_seq(topic)

    {from, reply} =
      case params do
        %{"last_seq" => last} when is_integer(last) and last > seq -> {0, %{joined: topic, seq: seq, reset: true}}
        %{"last_seq" => last} when is_integer(last) and last >= 0 -> {last, %{joined: topic, seq: seq}}
        _ -> {seq, %{joined: topic, seq: seq}}
      end

    send(self(), :replay)
    {:ok, reply, assign(socket, last_sent: from, replayed: false)}
  end

  # Right after the reply: what the feed holds after last_seq (a first join: what was
  # published since it read `seq`). Live events that reached the mailbox before this are
  # in the feed already (it holds an event before broadcasting it), so they are skipped
  # until now and sent from here, in order.
  @impl true
  def handle_info(:replay, socket) do
    socket = Enum.reduce(Feed.since(socket.topic, socket.assigns.last_sent), socket, &deliver/2)
    {:noreply, assign(socket, :replayed, true)}
  end

  def handle_info({:feed_event, _event}, %{assigns: %{replayed: false}} = socket), do: {:noreply, socket}
  def handle_info({:feed_event, event}, socket), do: {:noreply, deliver(event, socket)}

  @impl true
  def handle_in("publish", payload, socket) do
    {:reply, {:ok, %{seq: Feed.publish(socket.topic, payload["data"])}}, socket}
  end

  def handle_in("ack", %{"sequence_number" => seq}, socket) when is_integer(seq) do
    Feed.ack(socket.topic, socket.assigns.user, seq)
    {:reply, {:ok, %{}}, socket}
  end

  def handle_in("ack", _payload, socket), do: {:reply, {:error, %{message: "sequence_number is required"}}, socket}
  def handle_in(_event, _payload, socket), do: {:reply, {:error, %{reason: "unknown event"}}, socket}

  # the replay and live events can overlap: send each seq once, in order
  defp deliver(%{seq: seq} = event, socket) do
    if seq > socket.assigns.last_sent do
      push(socket, "event", event)
      assign(socket, :last_sent, seq)
    else
      socket
    end
  end
end
