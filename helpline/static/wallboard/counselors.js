/* The list of counselors from the `presence` event: who is in which state, and for how long
 * (ticked by clock.js through data-since). */
import { formatDuration, secondsSince } from "../common/clock.js";
import { $, words } from "../common/page.js";

// The wall reads best with the people who can take or are taking calls first.
var STATE_ORDER = ["available", "on_call", "wrap_up", "break", "offline"];

function rank(state) {
  var place = STATE_ORDER.indexOf(state);
  return place === -1 ? STATE_ORDER.length : place;
}

export function showPresence(body) {
  var counselors = ((body && body.counselors) || []).slice().sort(function (a, b) {
    return rank(a.state) - rank(b.state) || a.username.localeCompare(b.username);
  });
  var list = $("counselor-list");
  list.replaceChildren.apply(list, counselors.map(counselorItem));
  $("counselor-empty").hidden = counselors.length > 0;
}

function counselorItem(counselor) {
  var item = document.createElement("li");
  item.className = "wb-counselor wb-state-" + counselor.state;
  item.dataset.username = counselor.username;
  item.dataset.state = counselor.state;
  var name = document.createElement("span");
  name.className = "wb-counselor-name";
  name.textContent = counselor.username;
  var state = document.createElement("span");
  state.className = "wb-counselor-state";
  state.textContent = words.states[counselor.state] || counselor.state;
  var since = document.createElement("span");
  since.className = "wb-counselor-since";
  since.dataset.since = counselor.since;
  since.textContent = formatDuration(secondsSince(counselor.since));
  item.append(name, state, since);
  return item;
}
