defmodule Interop.Presence do
  @moduledoc "Presence for room:* and presence:room:* (real presence_state / presence_diff)."
  use Phoenix.Presence, otp_app: :interop, pubsub_server: Interop.PubSub
end
