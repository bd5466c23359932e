/* The list of counselors from the `presence` event: who is in which state, and for how long
 * (ticked by clock.js through data-since). */
import { formatDuration, secondsSince } from "../common/clock.js";
import { $, words } from "../common/page.js";

// The wall reads best with the people who can take or are taking calls first.
const STATE_ORDER = ["available", "on_call", "wrap_up", "break", "offline"];

function rank(state) {
  const place = STATE_ORDER.indexOf(state);
  return place === -1 ? STATE_ORDER.length : place;
}

export function showPresence(body) {
  const counselors = ((body && body.counselors) || []).slice().sort(function (a, b) {
    return rank(a.state) - rank(b.state) || a.username.localeCompare(b.username);
  });
  const list = $("counselor-list");
  list.replaceChildren.apply(list, counselors.map(counselorItem));
  $("counselor-empty").hidden = counselors.length > 0;
}

function counselorItem(counselor) {
  const item = document.createElement("li");
  item.className = "wb-counselor wb-state-" + counselor.state;
  item.dataset.username = counselor.username;
  item.dataset.state = counselor.state;
  const name = document.createElement("span");
  name.className = "wb-counselor-name";
  name.textContent = counselor.username;
  const state = document.createElement("span");
  state.className = "wb-counselor-state";
  state.textContent = words.states[counselor.state] || counselor.state;
  const since = document.createElement("span");
  since.className = "wb-counselor-since";
  since.dataset.since = counselor.since;
  since.textContent = formatDuration(secondsSince(counselor.since));
  item.append(name, state, since);
  return item;
}
