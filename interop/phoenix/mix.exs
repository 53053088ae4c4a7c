# The real Phoenix 1.7 server of the test suite: the same test contract as phoenix-mock
# (room:*, presence:room:*, reliable:*, the overlay topics, the /admin routes), on Bandit.
#
# Dependencies: ordinary Hex packages where Hex is installed; otherwise the same
# versions as sources from a vendor folder (PHOENIX_VENDOR, or ../shared/phoenix-1.7/vendor
# beside the repository), built offline. See README.md.
defmodule Interop.Vendor do
  @moduledoc false
  @doc "The vendor folder to build from, or nil to use Hex."
  def dir do
    if not Code.ensure_loaded?(Hex) do
      [System.get_env("PHOENIX_VENDOR"), Path.expand("../../../shared/phoenix-1.7/vendor", __DIR__)]
      |> Enum.reject(&(&1 in [nil, ""]))
      |> Enum.find(&File.dir?/1)
    end
  end
end

if Interop.Vendor.dir() do
  defmodule Interop.VendoredSCM do
    @moduledoc false
    # The vendored libraries still declare each other as Hex packages ({:plug, "~> 1.14"}).
    # Without Hex, Mix has no SCM for such a declaration and stops. This one claims them;
    # every one is overridden by the app's own path dependency, so nothing is fetched.
    @behaviour Mix.SCM
    def fetchable?, do: false
    def format(_opts), do: "vendored"
    def format_lock(_opts), do: nil
    def accepts_options(_app, opts), do: if(opts[:path] || opts[:git], do: nil, else: opts)
    def checked_out?(_opts), do: true
    def lock_status(_opts), do: :ok
    def equal?(a, b), do: a[:dest] == b[:dest]
    def managers(_opts), do: []
    def checkout(opts), do: Mix.raise("#{opts[:dest]} is vendored: nothing can be fetched")
    def update(opts), do: checkout(opts)
  end

  Mix.SCM.append(Interop.VendoredSCM)
end

defmodule Interop.MixProject do
  use Mix.Project

  @versions [
    phoenix: "1.7.24",
    phoenix_pubsub: "2.1.3",
    phoenix_template: "1.0.4",
    plug: "1.18.2",
    plug_crypto: "2.1.1",
    mime: "2.0.7",
    bandit: "1.8.0",
    thousand_island: "1.4.1",
    hpax: "1.0.3",
    websock: "0.5.3",
    websock_adapter: "0.5.9",
    telemetry: "1.3.0",
    jason: "1.4.4",
    castore: "1.0.14"
  ]

  def project do
    [
      app: :interop,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: true,
      deps: deps()
    ]
  end

  def application do
    [mod: {Interop.Application, []}, extra_applications: [:logger]]
  end

  defp deps do
    vendor = Interop.Vendor.dir()

    for {app, version} <- @versions do
      if vendor do
        {app, path: Path.join(vendor, Atom.to_string(app)), override: true}
      else
        {app, "== " <> version, override: true}
      end
    end
  end
end
