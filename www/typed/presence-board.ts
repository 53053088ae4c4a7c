// A typed overlay: who is in a presence room, with their status. Compiled to
// presence-board.js by `npm run build`; loaded by www/presence.html.
import { Socket, Presence, type PresenceEntry } from "phoenix-wasm";

interface Meta { online_at: number; status?: "online" | "away" }
interface Topics {
  [room: `presence:room:${string}`]: {
    events: { presence_state: unknown; presence_diff: unknown };
    pushes: { update_status: { payload: { status: "online" | "away" }; reply: {} } };
    presence: Meta;
  };
}

export function mount(el: HTMLElement, status: HTMLElement, room: string, token: string): () => void {
  const socket = new Socket<Topics>("/socket", { params: { token }, reconnectAfterMs: (t) => Math.min(500 * 2 ** t, 8000) });
  socket.onOpen(() => { status.className = "connected"; status.textContent = "connected"; });
  socket.onClose(() => { status.className = "reconnecting"; status.textContent = "reconnecting…"; });
  socket.connect();

  const channel = socket.channel(`presence:room:${room}`);
  const presence = new Presence<Meta>(channel);
  const render = () => {
    const rows = presence.list((user: string, p: PresenceEntry<Meta>) => {
      const tabs = p.metas.length;
      const away = p.metas.every((m) => m.status === "away");
      return `<li class="${away ? "away" : "online"}"><b>${escape(user)}</b>${tabs > 1 ? ` <i>×${tabs}</i>` : ""}</li>`;
    });
    el.innerHTML = rows.join("");
  };
  presence.onSync(render);
  channel.join().receive("error", (e) => { el.textContent = `cannot join: ${JSON.stringify(e)}`; });
  return () => { channel.leave(); socket.disconnect(); };
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
