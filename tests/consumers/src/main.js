// The app every bundler builds: joins room:<bundler>, pushes, and lists shouts on
// room:<bundler>-events, as an overlay would.
import { Socket, Presence, subscribe } from "phoenix-wasm";

const bundler = document.documentElement.dataset.bundler;
const state = document.getElementById("state");
const socket = new Socket(`ws://${location.host}/socket`, { params: { token: `user:${bundler}` } });
socket.connect();
const channel = socket.channel(`room:${bundler}`);
const presence = new Presence(channel);
channel.on("after_join", ({ hello }) => (state.dataset.hello = hello));
presence.onSync(() => (state.dataset.present = presence.list((key) => key).join(",")));
channel.join().receive("ok", async ({ joined }) => {
  const { n } = await channel.push("echo", { n: 41 });
  state.textContent = `${joined} ${n + 1}`;
});
subscribe(socket, `room:${bundler}-events`, {
  shout: ({ body }) => {
    const li = document.createElement("li");
    li.textContent = body;
    document.getElementById("events").append(li);
  },
});
