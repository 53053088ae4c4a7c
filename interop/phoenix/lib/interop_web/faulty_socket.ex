defmodule InteropWeb.FaultySocket do
  @moduledoc """
  `InteropWeb.UserSocket` as a `Phoenix.Socket.Transport` with the test's fault switches
  in front: each socket process registers under its user (so `/admin/drop` can kill it:
  the connection ends without a close frame), heartbeats go unanswered while muted, and
  an armed "drop next" kills the connection a push arrives on before it is handled.
  Everything else is the stock `Phoenix.Socket`.
  """
  @behaviour Phoenix.Socket.Transport
  alias InteropWeb.UserSocket

  @impl true
  defdelegate child_spec(opts), to: UserSocket
  @impl true
  defdelegate drainer_spec(opts), to: UserSocket
  @impl true
  def connect(map) do
    with {:ok, {_, %Phoenix.Socket{assigns: %{user: user}}}} = ok <- UserSocket.connect(map) do
      Interop.Faults.opening(user)
      ok
    end
  end
  @impl true
  defdelegate handle_info(message, state), to: UserSocket
  @impl true
  defdelegate terminate(reason, state), to: UserSocket

  @impl true
  def init({_, %Phoenix.Socket{assigns: %{user: user}}} = state) do
    Registry.register(Interop.Sockets, user, user)
    Registry.register(Interop.Sockets, :all, user)
    Interop.Faults.opened(user)
    Process.put(:interop_user, user)
    UserSocket.init(state)
  end

  @impl true
  def handle_in({text, opts} = message, state) do
    heartbeat? = opts[:opcode] == :text and String.contains?(text, ~s("phoenix","heartbeat"))

    cond do
      heartbeat? and Interop.Faults.muted?(Process.get(:interop_user)) -> {:ok, state}
      not heartbeat? and Interop.Faults.take_drop_next() -> Process.exit(self(), :kill)
      true -> UserSocket.handle_in(message, state)
    end
  end

  @doc "Kills the socket processes of `user` (nil: all); returns how many."
  def drop(user) do
    Interop.Faults.await_opened(user)
    pids = for {pid, _} <- Registry.lookup(Interop.Sockets, user || :all), do: pid
    Enum.each(pids, &Process.exit(&1, :kill))
    length(pids)
  end
end
