// The playground's page and script: plain HTML, CSS and a browser script with no build step and no
// other file, served only when the server's `playground` option is on (see playground.ts).

/** The page, its script named under the server's base path (checked to be plain path characters). */
export const playgroundHtml = (basePath: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hearth playground</title>
<link rel="icon" href="data:,">
<style>
  :root { font: 14px/1.45 system-ui, sans-serif; color: #1d232b; background: #f4f5f7; }
  body { margin: 0; }
  header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #1d2f45; color: #fff; }
  header h1 { font-size: 16px; margin: 0 12px 0 0; }
  header label { display: flex; gap: 6px; align-items: center; }
  header select, header input { font: inherit; padding: 3px 6px; border-radius: 4px; border: 1px solid #8aa; }
  main { display: grid; grid-template-columns: minmax(360px, 1fr) minmax(360px, 1fr); gap: 14px; padding: 14px; }
  section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 12px; min-width: 0; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #5a6572; margin: 0 0 8px; }
  #conversation { display: flex; flex-direction: column; height: calc(100vh - 110px); }
  #messages { flex: 1; overflow-y: auto; display: flex; flex-direction: column; gap: 8px; padding-bottom: 8px; }
  .message { padding: 8px 10px; border-radius: 6px; max-width: 92%; white-space: pre-wrap; overflow-wrap: anywhere; }
  .message.user { align-self: flex-end; background: #dbe9f8; }
  .message.assistant { align-self: flex-start; background: #f1f3f5; display: flex; flex-direction: column; gap: 6px; }
  .source { font-size: 11px; color: #6b7683; }
  .tool { border-left: 3px solid #e08e2b; background: #fff7ec; padding: 4px 8px; font: 12px/1.4 ui-monospace, monospace; }
  .tool .tool-result { color: #2d6a31; }
  .tool.failed .tool-result { color: #b03a2e; }
  .error { color: #b03a2e; }
  .usage { font-size: 11px; color: #6b7683; }
  #session-id { text-transform: none; letter-spacing: 0; }
  form { display: flex; gap: 8px; }
  form input { flex: 1; font: inherit; padding: 6px 8px; border: 1px solid #b8c0c8; border-radius: 4px; }
  button { font: inherit; padding: 6px 12px; border-radius: 4px; border: 1px solid #3b6ea8; background: #3b6ea8; color: #fff; cursor: pointer; }
  button.plain { background: #fff; color: #3b6ea8; }
  #side { display: flex; flex-direction: column; gap: 14px; height: calc(100vh - 84px); overflow-y: auto; }
  #startup { overflow-x: auto; }
  #startup svg { max-width: 100%; height: auto; }
  pre { margin: 0; max-height: 260px; overflow: auto; font: 12px/1.4 ui-monospace, monospace; background: #f7f8fa; padding: 6px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { text-align: right; padding: 2px 6px; border-bottom: 1px solid #eceff2; }
  th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
</style>
</head>
<body>
<header>
  <h1>hearth playground</h1>
  <label>agent or team <select id="runner" aria-label="agent or team"></select></label>
  <label>API key <input id="key" type="password" placeholder="none needed without auth" autocomplete="off"></label>
  <button id="new-chat" class="plain" type="button">New chat</button>
  <span id="status" role="status"></span>
</header>
<main>
  <section id="conversation">
    <h2>Conversation <span id="session-id" class="usage"></span></h2>
    <div id="messages" aria-live="polite"></div>
    <form id="ask">
      <input id="input" placeholder="Ask something, for example: Where is order A123?" autocomplete="off" aria-label="message">
      <button id="send" type="submit">Send</button>
    </form>
  </section>
  <div id="side">
    <section><h2>Startup waterfall</h2><div id="startup"></div></section>
    <section><h2>Recent requests</h2><table id="requests"><thead><tr><th>route</th><th>runner</th><th>status</th><th>total ms</th><th>model ms</th><th>tool ms</th><th>tokens in/out</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Session (stored JSON)</h2><pre id="session">no session yet</pre></section>
  </div>
</main>
<script src="${basePath}/playground/app.js"></script>
</body>
</html>
`;

export const playgroundScript = String.raw`"use strict";
(function () {
  var base = location.pathname.replace(/\/playground\/?$/, "");
  var sessionId;
  var busy = false;
  function $(id) { return document.getElementById(id); }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function headers(extra) {
    var all = Object.assign({}, extra || {});
    var key = $("key").value.trim();
    if (key) all.authorization = "Bearer " + key;
    return all;
  }
  function status(text, failed) {
    $("status").textContent = text;
    $("status").className = failed ? "error" : "";
  }
  async function get(path) {
    var response = await fetch(base + path, { headers: headers() });
    if (!response.ok) {
      var detail = await response.text();
      try { detail = JSON.parse(detail).detail || detail; } catch (ignored) {}
      throw new Error(path + ": " + response.status + " " + detail);
    }
    return response;
  }
  function scrollDown() { $("messages").scrollTop = $("messages").scrollHeight; }

  async function loadRunners() {
    var runners = await (await get("/playground/runners")).json();
    var select = $("runner");
    select.textContent = "";
    runners.agents.forEach(function (name) { select.append(new Option("agent: " + name, "agent:" + name)); });
    runners.teams.forEach(function (name) { select.append(new Option("team: " + name, "team:" + name)); });
  }
  async function loadStartup() {
    $("startup").innerHTML = await (await get("/playground/startup.svg")).text();
  }
  async function loadRequests() {
    var requests = await (await get("/playground/requests")).json();
    var body = $("requests").tBodies[0];
    body.textContent = "";
    requests.forEach(function (entry) {
      var row = body.insertRow();
      [entry.method + " " + entry.route, entry.runner || "", String(entry.status), entry.totalMs.toFixed(1),
        entry.modelMs.toFixed(1), entry.toolMs.toFixed(1),
        entry.inputTokens === undefined ? "" : entry.inputTokens + "/" + entry.outputTokens]
        .forEach(function (text) { row.insertCell().textContent = text; });
    });
  }
  async function loadSession() {
    if (sessionId === undefined) { $("session").textContent = "no session yet"; return; }
    var session = await (await get("/v1/sessions/" + encodeURIComponent(sessionId))).json();
    $("session").textContent = JSON.stringify(session, null, 2);
  }
  function refresh() {
    return Promise.all([loadRequests(), loadSession()]).catch(function (error) { status(String(error.message), true); });
  }

  /** One assistant bubble: text parts, tool calls and their results, in the order they happen. */
  function Reply() {
    this.node = element("div", "message assistant");
    this.streaming = undefined;
    this.tools = {};
    $("messages").append(this.node);
  }
  Reply.prototype.text = function (source, text, streamed) {
    var part = element("div", "text");
    part.dataset.source = source;
    part.dataset.deltas = "0";
    part.append(element("div", "source", source), element("span", "body", text));
    this.node.append(part);
    if (streamed) this.streaming = { source: source, part: part };
    return part;
  };
  Reply.prototype.handle = function (event, data) {
    if (event === "message-delta") {
      if (!this.streaming || this.streaming.source !== data.source) this.text(data.source, "", true);
      var part = this.streaming.part;
      part.querySelector(".body").textContent += data.content;
      part.dataset.deltas = String(Number(part.dataset.deltas) + 1);
    } else if (event === "tool-call") {
      this.streaming = undefined;
      var reply = this;
      data.toolCalls.forEach(function (call) {
        var tool = element("div", "tool");
        tool.append(element("div", "tool-name", data.source + " calls " + call.name),
          element("div", "tool-args", call.arguments), element("div", "tool-result", "running…"));
        reply.tools[call.id] = tool;
        reply.node.append(tool);
      });
    } else if (event === "tool-result") {
      var tools = this.tools;
      data.results.forEach(function (result) {
        var tool = tools[result.callId];
        if (!tool) return;
        if (result.isError) tool.classList.add("failed");
        tool.querySelector(".tool-result").textContent = (result.isError ? "error: " : "→ ") + result.content;
      });
    } else if (event === "message") {
      if (data.source === "user" || ["text", "handoff", "tool-call-summary", "structured"].indexOf(data.type) < 0) return;
      if (this.streaming && this.streaming.source === data.source) { this.streaming = undefined; return; }
      this.text(data.source, typeof data.content === "string" ? data.content : JSON.stringify(data.content), false);
    } else if (event === "done") {
      sessionId = data.sessionId;
      $("session-id").textContent = "session " + sessionId;
      this.node.append(element("div", "usage", "stop: " + data.stopReason + " · tokens " +
        data.usage.promptTokens + " in, " + data.usage.completionTokens + " out"));
    } else if (event === "error") {
      this.node.append(element("div", "error", (data.title || "error") + ": " + (data.detail || "")));
    }
    scrollDown();
  };

  async function send(message) {
    var runner = $("runner").value.split(/:(.*)/s);
    var body = { message: message, stream: true };
    body[runner[0]] = runner[1];
    if (sessionId !== undefined) body.sessionId = sessionId;
    $("messages").append(element("div", "message user", message));
    var reply = new Reply();
    scrollDown();
    var response = await fetch(base + "/v1/chat", {
      method: "POST",
      headers: headers({ "content-type": "application/json", accept: "text/event-stream" }),
      body: JSON.stringify(body),
    });
    if (!response.ok || !response.body) {
      var problem = {};
      try { problem = await response.json(); } catch (ignored) {}
      reply.handle("error", { title: String(response.status), detail: problem.detail || response.statusText });
      return;
    }
    var reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    var buffered = "";
    for (;;) {
      var read = await reader.read();
      if (read.done) break;
      buffered += read.value;
      var end;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        var frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        var name = "message";
        var lines = [];
        frame.split("\n").forEach(function (line) {
          if (line.indexOf("event: ") === 0) name = line.slice(7);
          else if (line.indexOf("data: ") === 0) lines.push(line.slice(6));
        });
        if (lines.length > 0) reply.handle(name, JSON.parse(lines.join("\n")));
      }
    }
  }

  $("ask").addEventListener("submit", function (event) {
    event.preventDefault();
    var message = $("input").value.trim();
    if (!message || busy) return;
    $("input").value = "";
    busy = true;
    $("send").disabled = true;
    status("running…");
    send(message).then(function () { status(""); }, function (error) { status(String(error.message), true); })
      .then(refresh).then(function () { busy = false; $("send").disabled = false; $("input").focus(); });
  });
  $("new-chat").addEventListener("click", function () {
    sessionId = undefined;
    $("messages").textContent = "";
    $("session-id").textContent = "";
    refresh();
  });
  $("key").value = sessionStorage.getItem("hearth-playground-key") || "";
  $("key").addEventListener("change", function () {
    sessionStorage.setItem("hearth-playground-key", $("key").value.trim());
    start();
  });
  function start() {
    status("");
    Promise.all([loadRunners(), loadStartup(), loadRequests()]).then(
      function () { document.body.dataset.ready = "true"; },
      function (error) { status(String(error.message), true); });
  }
  start();
})();
`;
