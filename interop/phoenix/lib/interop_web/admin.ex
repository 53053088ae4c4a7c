defmodule InteropWeb.Admin do
  @moduledoc """
  The control routes of the test contract (mock-server/README.md, "HTTP"), answered with
  JSON and `access-control-allow-origin: *` (tests call them from other origins):

      GET /health                          200 {status: "ok"}
      GET /admin/disconnect[?user=ID]      Phoenix's `disconnect` broadcast (Bandit closes with 1011)
      GET /admin/drop[?user=ID]            kill the socket processes: no close frame
      GET /admin/mute?ms=N[&user=ID]       heartbeats unanswered for N ms (default 60,000)
      GET /admin/drop-next                 the next push that arrives kills its connection
      GET /admin/pause?ms=N[&transport=T]  connects refused (403) for N ms (default 5,000), over
                                           both transports or only `websocket` or `longpoll`
  """
  use Plug.Router

  plug :cors
  plug :match
  plug :dispatch

  get "/health", do: json(conn, %{status: "ok"})

  # the lobby overlay (Plug.Static serves the other files of www/)
  get "/" do
    conn |> put_resp_content_type("text/html") |> send_file(200, Path.expand("../../../../www/index.html", __DIR__))
  end

  get "/admin/disconnect" do
    # one user's sockets, or (no user) every socket, as the mock does
    Interop.Faults.await_opened(query(conn)["user"])
    sockets = Registry.lookup(Interop.Sockets, query(conn)["user"] || :all)
    for user <- sockets |> Enum.map(fn {_pid, user} -> user end) |> Enum.uniq() do
      InteropWeb.Endpoint.broadcast("user_socket:" <> user, "disconnect", %{})
    end
    json(conn, %{closed: length(sockets)})
  end

  get "/admin/drop", do: json(conn, %{dropped: InteropWeb.FaultySocket.drop(query(conn)["user"])})

  get "/admin/mute" do
    ms = ms(conn, 60_000)
    Interop.Faults.mute(query(conn)["user"], ms)
    json(conn, %{muted_ms: ms})
  end

  get "/admin/drop-next" do
    Interop.Faults.arm_drop_next()
    json(conn, %{armed: true})
  end

  get "/admin/pause" do
    ms = ms(conn, 5_000)
    Interop.Faults.pause(ms, transport(query(conn)["transport"]))
    json(conn, %{paused_ms: ms})
  end

  match _, do: send_resp(conn, 404, "not found")

  # callable from any page, cross-origin isolated ones (the benchmark's) included
  defp cors(conn, _opts) do
    conn
    |> put_resp_header("access-control-allow-origin", "*")
    |> put_resp_header("cross-origin-resource-policy", "cross-origin")
  end
  defp query(conn), do: Plug.Conn.fetch_query_params(conn).query_params

  defp transport("websocket"), do: :websocket
  defp transport("longpoll"), do: :longpoll
  defp transport(_), do: nil

  defp ms(conn, default) do
    case Integer.parse(query(conn)["ms"] || "") do
      {n, ""} when n >= 0 -> n
      _ -> default
    end
  end

  defp json(conn, body) do
    conn |> put_resp_content_type("application/json") |> send_resp(200, Jason.encode!(body))
  end
end
