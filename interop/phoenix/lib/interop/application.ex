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
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: Interop.Supervisor)
  end

  # The line the test harness waits for, with the port actually bound (PORT=0 picks one).
  defp announce do
    {:ok, {_ip, port}} = InteropWeb.Endpoint.server_info(:http)
    IO.puts("phoenix-interop (Phoenix #{Application.spec(:phoenix, :vsn)}, Bandit) listening on http://127.0.0.1:#{port}")
  end
end
