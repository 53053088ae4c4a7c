defmodule Interop.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    children = [
      {Phoenix.PubSub, name: Interop.PubSub},
      Interop.Presence,
      Interop.Faults,
      Interop.Feed,
      {Registry, keys: :duplicate, name: Interop.Sockets},
      {Registry, keys: :duplicate, name: Interop.Topics},
      Interop.Overlays,
      InteropWeb.Endpoint,
      {Task, &announce/0}
    ] ++ if(System.get_env("PHX_EXIT_ON_EOF") == "1", do: [Supervisor.child_spec({Task, &exit_on_eof/0}, id: :exit_on_eof)], else: [])

    Supervisor.start_link(children, strategy: :one_for_one, name: Interop.Supervisor)
  end

  # A test harness that dies without stopping the server closes its end of our stdin:
  # stop then, instead of living on with the harness's output pipes open.
  defp exit_on_eof do
    IO.read(:stdio, :eof)
    System.halt(0)
  end

  # The line the test harness waits for, with the port actually bound (PORT=0 picks one).
  defp announce do
    {:ok, {_ip, port}} = InteropWeb.Endpoint.server_info(:http)
    IO.puts("phoenix-interop (Phoenix #{Application.spec(:phoenix, :vsn)}, Bandit) listening on http://127.0.0.1:#{port}")
  end
end
