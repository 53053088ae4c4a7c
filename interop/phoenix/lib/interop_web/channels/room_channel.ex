defmodule InteropWeb.RoomChannel do
  @moduledoc """
  `room:*`, the contract of the browser and parity tests (mock-server/README.md):
  join ok `{joined}`, then `after_join {hello}` and `presence_state`; `room:forbidden`
  refuses; echo, ping, fail, noreply, shout (broadcast), crash, binary, blast and
  presence_load. Presence is `Phoenix.Presence`.

  Token refresh (docs/token-refresh.md): `access_token {access_token}` accepts a token
  naming the socket's user (`UserSocket.user_for/1`), optionally with `@<ttl ms>`: when
  that passes without another refresh, the channel pushes `token_expired` and closes.
  `token` answers the last accepted token.
  """
  use Phoenix.Channel
  alias Interop.Presence

  @impl true
  def join("room:forbidden", _params, _socket), do: {:error, %{reason: "unauthorized"}}

  # Phoenix answers a join from inside the socket process, so a join that never answers
  # would stall the whole socket: this one answers too late for the tests' join timeouts.
  def join("room:silent", _params, _socket) do
    Process.sleep(2_000)
    {:error, %{reason: "too late"}}
  end

  def join(topic, _params, socket) do
    send(self(), :after_join)
    {:ok, %{joined: topic}, socket}
  end

  @impl true
  def handle_info(:after_join, socket) do
    push(socket, "after_join", %{hello: socket.assigns.user})
    {:ok, _} = Presence.track(socket, socket.assigns.user, %{online_at: System.system_time(:second)})
    push(socket, "presence_state", Presence.list(socket))
    {:noreply, socket}
  end

  def handle_info({:blast, i, n, size, binary?} = blast, socket) when i < n do
    # in slices, as fast as the socket takes them: a transport whose mailbox holds
    # thousands of pushes spends its time scanning it (one core busy, a few thousand
    # messages a second to a browser), so the next slice waits for it to drain
    if backlog(socket) > 512 do
      Process.send_after(self(), blast, 1)
      {:noreply, socket}
    else
      blast_slice(blast, socket)
    end
  end

  def handle_info({:token_expired, token}, %{assigns: %{access_token: token}} = socket) do
    push(socket, "token_expired", %{})
    {:stop, {:shutdown, :token_expired}, socket}
  end

  def handle_info({:token_expired, _replaced}, socket), do: {:noreply, socket}

  def handle_info({:blast, n, n, _size, _binary?}, socket) do
    {ref, n} = socket.assigns.blast
    reply(ref, {:ok, %{sent: n}})
    {:noreply, socket}
  end

  defp backlog(socket) do
    case Process.info(socket.transport_pid, :message_queue_len) do
      {:message_queue_len, len} -> len
      nil -> 0
    end
  end

  defp blast_slice({:blast, i, n, size, binary?}, socket) do
    last = min(i + 256, n)
    pad = String.duplicate("x", max(size - 20, 0))

    for j <- i..(last - 1) do
      if binary? do
        push(socket, "blast", {:binary, <<j::64, :binary.copy(<<7>>, max(size, 8) - 8)::binary>>})
      else
        push(socket, "blast", %{i: j, pad: pad})
      end
    end

    send(self(), {:blast, last, n, size, binary?})
    {:noreply, socket}
  end

  @impl true
  def handle_in("echo", {:binary, bytes}, socket), do: {:reply, {:ok, {:binary, bytes}}, socket}
  def handle_in("echo", payload, socket), do: {:reply, {:ok, payload}, socket}
  def handle_in("ping", _payload, socket), do: {:reply, {:ok, %{pong: true}}, socket}
  def handle_in("fail", _payload, socket), do: {:reply, {:error, %{reason: "failed"}}, socket}
  def handle_in("noreply", _payload, socket), do: {:noreply, socket}

  def handle_in("shout", payload, socket) do
    broadcast!(socket, "shout", payload)
    {:reply, {:ok, %{}}, socket}
  end

  def handle_in("access_token", %{"access_token" => token}, socket) when is_binary(token) do
    {base, ttl} =
      case String.split(token, "@", parts: 2) do
        [base, ttl] -> {base, Integer.parse(ttl)}
        [base] -> {base, nil}
      end

    user = socket.assigns.user

    case {InteropWeb.UserSocket.user_for(base), ttl} do
      {{:ok, ^user}, nil} ->
        {:reply, {:ok, %{}}, assign(socket, :access_token, token)}

      {{:ok, ^user}, {ms, ""}} when ms > 0 ->
        Process.send_after(self(), {:token_expired, token}, ms)
        {:reply, {:ok, %{}}, assign(socket, :access_token, token)}

      _ ->
        {:reply, {:error, %{reason: "invalid_token"}}, socket}
    end
  end

  def handle_in("access_token", _payload, socket), do: {:reply, {:error, %{reason: "invalid_token"}}, socket}
  def handle_in("token", _payload, socket), do: {:reply, {:ok, %{access_token: socket.assigns[:access_token]}}, socket}

  def handle_in("crash", _payload, _socket), do: raise("crash requested")

  def handle_in("binary", {:binary, bytes}, socket), do: {:reply, {:ok, {:binary, bytes}}, socket}
  def handle_in("binary", _payload, socket), do: {:reply, {:error, %{reason: "expected a binary payload"}}, socket}

  def handle_in("blast", payload, socket) do
    n = min(int(payload, "n", 1000), 10_000_000)
    size = min(int(payload, "size", 100), 1_048_576)
    send(self(), {:blast, 0, n, size, payload["binary"] == true})
    {:noreply, assign(socket, :blast, {socket_ref(socket), n})}
  end

  def handle_in("presence_load", payload, socket) do
    members = min(int(payload, "members", 1000), 1_000_000)
    diffs = min(int(payload, "diffs", 100), 1_000_000)
    meta = fn u -> %{metas: [%{online_at: 1_700_000_000, status: "online", phx_ref: "R#{u}-0"}]} end
    state = Map.new(0..(members - 1)//1, &{"user#{&1}", meta.(&1)})
    push(socket, "bench_start", %{})
    push(socket, "bench_state", state)

    for d <- 0..(diffs - 1)//1 do
      joiner = members + d
      leaver = rem(d, max(members, 1))
      push(socket, "bench_diff", %{joins: %{"user#{joiner}" => meta.(joiner)}, leaves: %{"user#{leaver}" => meta.(leaver)}})
    end

    {:reply, {:ok, %{members: members, diffs: diffs}}, socket}
  end

  def handle_in(_event, _payload, socket), do: {:reply, {:error, %{reason: "unknown event"}}, socket}

  defp int(payload, key, default) do
    case payload do
      %{^key => n} when is_integer(n) and n >= 0 -> n
      _ -> default
    end
  end
end
