import { Socket, subscribe } from "phoenix-wasm";

interface Topics {
  [room: `room:${string}`]: {
    events: { after_join: { hello: string }; shout: { body: string } };
    pushes: { echo: { payload: { n: number }; reply: { n: number } } };
    join: { params: {}; reply: { joined: string } };
  };
}

const state = document.getElementById("state")!;
const socket = new Socket<Topics>(`ws://${location.host}/socket`, { params: { token: "user:vite" } });
socket.connect();
const channel = socket.channel("room:vite");
channel.on("after_join", ({ hello }) => { state.dataset.hello = hello; });
channel.join().receive("ok", async ({ joined }) => {
  const { n } = await channel.push("echo", { n: 41 });
  state.textContent = `${joined} ${n + 1}`;
});
subscribe(socket, "room:vite-events", {
  shout: ({ body }) => {
    const li = document.createElement("li");
    li.textContent = body;
    document.getElementById("events")!.append(li);
  },
});
