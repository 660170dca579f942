// The collect popup: pick a configured server (or "Other…" → host(s), port, password), run
// `collect` with live per-host progress from `collect://progress` and a Cancel button, then one
// result row per host. Also used directly in "running" mode (collect all, per-server collect).
import { h, uid } from "../dom.js";
import { icon, spinner } from "../icons.js";
import { t, tn } from "../i18n.js";
import * as api from "../api.js";
import { state, servers, refreshDashboard } from "../state.js";
import { openModal, setBusy } from "./modal.js";
import { protocolBadge, fingerprint, errorBox, demoBadge } from "./badges.js";
import { formatNumber, formatDuration } from "../format.js";
/** @import { CollectRequest, CollectResult, HostSummary, Server } from "../types" */
/** @import { CommandError } from "../api.js" */

const OTHER = "other";
const DEFAULT_PORT = 8200;

/**
 * @param {string} labelText
 * @param {HTMLElement} control
 * @param {string | null} hint
 * @param {string} id
 */
function field(labelText, control, hint, id) {
  control.id = id;
  const hintEl = hint ? h("div", { class: "field-hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id, class: "field-label" }, labelText), control, hintEl);
}

/**
 * @typedef {object} CollectDialogOptions
 * @property {CollectRequest} [request] start collecting at once with this request (no form first)
 * @property {number} [serverId] preselect this server in the form
 * @property {{ host?: string, port?: number }} [prefill] host and port for manual entry
 * @property {HTMLElement} [returnFocus] the element to focus after closing (default: the toolbar's
 *   collect button)
 */

/** An empty list's call to collect: opens the dialog, and the focus comes back to the button. */
export function emptyCollectButton() {
  return h(
    "button",
    { type: "button", class: "btn btn-primary btn-sm", onClick: (e) => openCollectDialog({ returnFocus: e.currentTarget }) },
    icon("download", 14),
    t("empty.collect"),
  );
}

/** @param {CollectDialogOptions} [opts] */
export function openCollectDialog(opts = {}) {
  const list = servers();
  /** @type {"form" | "running" | "results"} */
  let phase = "form";
  /** @type {CollectRequest | null} */
  let lastRequest = null;
  const returnFocus = opts.returnFocus ?? /** @type {HTMLElement | null} */ (document.querySelector('[data-testid="toolbar-collect"]')) ?? undefined;

  // ---------- form ----------
  const ids = { server: uid("c-server"), host: uid("c-host"), port: uid("c-port"), pw: uid("c-pw"), json: uid("c-json") };
  const select = h(
    "select",
    { "data-testid": "collect-server-select", class: "input" },
    list.map((s) =>
      h(
        "option",
        { value: String(s.id) },
        // The server's own name is always in the label (after an alias), so it can be found by it.
        `${s.displayName}${s.displayName !== s.name ? ` (${s.name})` : ""}${s.isDemo ? ` · ${t("demo.badge")}` : ""} — ${s.host}:${s.port}`,
      ),
    ),
    h("option", { value: OTHER }, t("collect.other")),
  );
  if (opts.prefill || list.length === 0) select.value = OTHER;
  else {
    const pre = opts.serverId ?? (opts.request?.serverIds?.length === 1 ? opts.request.serverIds[0] : null);
    if (pre != null && list.some((s) => s.id === pre)) select.value = String(pre);
  }

  const host = h("input", {
    type: "text",
    class: "input",
    "data-testid": "collect-host",
    placeholder: "192.168.1.23, nas.local, [fd00::5]",
    autocomplete: "off",
    spellcheck: false,
    autocapitalize: "off",
    value: opts.prefill?.host ?? "",
  });
  const port = h("input", {
    type: "number",
    class: "input input-port",
    "data-testid": "collect-port",
    min: "1",
    max: "65535",
    step: "1",
    inputMode: "numeric",
    value: String(opts.prefill?.port ?? DEFAULT_PORT),
  });
  const password = h("input", { type: "password", class: "input", "data-testid": "collect-password", autocomplete: "off" });
  const saveJson = h("input", { type: "checkbox", "data-testid": "collect-savejson", id: ids.json });

  const serverField = list.length ? field(t("collect.server"), select, null, ids.server) : null;
  const hostField = field(t("collect.hosts"), host, t("collect.hostsHint"), ids.host);
  const portField = field(t("collect.port"), port, null, ids.port);
  const pwHint = h("div", { class: "field-hint", id: `${ids.pw}-hint` });
  password.id = ids.pw;
  password.setAttribute("aria-describedby", pwHint.id);
  const pwField = h("div", { class: "field" }, h("label", { for: ids.pw, class: "field-label" }, t("collect.password")), password, pwHint);
  const manualRow = h("div", { class: "field-row" }, hostField, portField);
  const formError = h("div", { class: "form-error-slot", "aria-live": "polite" });

  const formBody = h(
    "div",
    { class: "collect-form" },
    serverField,
    manualRow,
    pwField,
    h("label", { class: "check", for: ids.json }, saveJson, h("span", null, t("collect.saveJson"))),
    formError,
  );

  function selectedServer() {
    if (!serverField || select.value === OTHER) return null;
    return list.find((s) => String(s.id) === select.value) ?? null;
  }

  function syncForm() {
    const s = selectedServer();
    manualRow.hidden = !!s;
    // A configured server needs a password field only when the engine says collecting it takes a
    // typed password (needsPassword); the password is then used for this collection.
    pwField.hidden = !!s && !s.needsPassword;
    pwHint.textContent = s ? t("collect.passwordNotSaved") : state.info?.keychain?.available === false ? t("collect.passwordNoKeychain") : t("collect.passwordHint");
  }
  select.addEventListener("change", () => {
    syncForm();
    formError.replaceChildren();
  });
  syncForm();

  /**
   * The request the form describes, or null (the problem shown) when a field is wrong.
   * @returns {CollectRequest | null}
   */
  function buildRequest() {
    formError.replaceChildren();
    for (const el of [host, port]) el.removeAttribute("aria-invalid");
    const s = selectedServer();
    if (s && (!s.needsPassword || password.value === "")) {
      return { serverIds: [s.id], saveJson: saveJson.checked };
    }
    const hosts = s ? s.host : host.value.trim();
    const p = s ? s.port : Number(port.value);
    if (!hosts) {
      host.setAttribute("aria-invalid", "true");
      formError.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("collect.needHost")));
      host.focus();
      return null;
    }
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      port.setAttribute("aria-invalid", "true");
      formError.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("collect.badPort")));
      port.focus();
      return null;
    }
    /** @type {CollectRequest} */
    const req = { hosts, port: p, saveJson: saveJson.checked };
    if (password.value !== "") req.password = password.value;
    return req;
  }

  function initialFocus() {
    const s = selectedServer();
    if (opts.prefill || (s && !pwField.hidden)) return password;
    return s ? select : host;
  }

  const submitBtn = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "collect-submit" }, icon("download"), t("collect.submit"));
  const formCancel = h("button", { type: "button", class: "btn", onClick: () => m.close("cancel") }, t("common.cancel"));

  // ---------- modal ----------
  const m = openModal({
    title: t("collect.title"),
    testid: "collect-dialog",
    size: "md",
    body: formBody,
    footer: [formCancel, submitBtn],
    returnFocus,
    initialFocus: initialFocus(),
    canClose: (reason) => phase !== "running" || reason === "force",
    onSubmit: () => {
      if (phase !== "form") return;
      const req = buildRequest();
      if (req) run(req);
    },
  });

  /**
   * Back to the form; after a failed command its error is shown in the form (typed values kept).
   * @param {CommandError | null} [error]
   */
  function showForm(error) {
    phase = "form";
    m.setTitle(t("collect.title"));
    m.body.replaceChildren(formBody);
    m.setFooter(formCancel, submitBtn);
    m.setClosable(true);
    if (error && error.code) {
      formError.replaceChildren(errorBox(error, lastRequest?.hosts));
      submitBtn.focus();
      return;
    }
    formError.replaceChildren();
    password.value = "";
    syncForm();
    initialFocus().focus();
  }

  // ---------- running ----------
  /** @param {CollectRequest} request */
  async function run(request) {
    lastRequest = request;
    phase = "running";
    m.setClosable(false);
    m.setTitle(t("collect.running"));
    /** @type {Map<string, { li: HTMLLIElement, iconSlot: HTMLSpanElement, hostEl: HTMLDivElement, detail: HTMLDivElement, badge: HTMLSpanElement }>} */
    const rows = new Map();
    const startingRow = h("li", { class: "progress-row" }, spinner(), h("div", { class: "progress-main" }, h("div", { class: "progress-host" }, t("collect.starting"))));
    const progressList = h("ul", { class: "progress-list", "aria-live": "polite", "data-testid": "collect-progress" }, startingRow);
    const status = h("p", { class: "muted small" }, t("collect.runningHint"));
    m.body.replaceChildren(h("div", { class: "collect-progress" }, status, progressList));

    const cancelLabel = h("span", null, t("common.cancel"));
    const cancelBtn = h(
      "button",
      {
        type: "button",
        class: "btn",
        "data-testid": "collect-cancel",
        onClick: async () => {
          setBusy(cancelBtn, true);
          cancelLabel.textContent = t("collect.cancelling");
          try {
            await api.cancelCollect();
          } catch (e) {
            console.error(e);
          }
        },
      },
      icon("x"),
      cancelLabel,
    );
    m.setFooter(cancelBtn);
    cancelBtn.focus();

    /** @param {string} hostName */
    const rowFor = (hostName) => {
      let r = rows.get(hostName);
      if (!r) {
        startingRow.remove();
        const iconSlot = h("span", { class: "progress-icon" }, spinner());
        const hostEl = h("div", { class: "progress-host" }, hostName);
        const detail = h("div", { class: "progress-detail muted" }, t("collect.connecting"));
        const badge = h("span", { class: "progress-badge" });
        const li = h("li", { class: "progress-row", "data-host": hostName }, iconSlot, h("div", { class: "progress-main" }, h("div", { class: "progress-title" }, hostEl, badge), detail));
        progressList.append(li);
        r = { li, iconSlot, hostEl, detail, badge };
        rows.set(hostName, r);
      }
      return r;
    };

    const unsubscribe = api.on(api.EVENT_PROGRESS, (p) => {
      if (!p || !p.host) return;
      const r = rowFor(p.host);
      switch (p.kind) {
        case "started":
          r.detail.textContent = t("collect.connecting");
          break;
        case "connected":
          r.hostEl.textContent = p.server && p.server !== p.host ? `${p.server} (${p.host})` : p.host;
          r.badge.replaceChildren(protocolBadge(p.protocol) ?? "");
          r.detail.textContent = t("collect.connected");
          break;
        case "job":
          r.detail.textContent = t("collect.jobProgress", { job: p.job ?? "", rows: formatNumber(p.rows ?? 0) });
          break;
        case "finished":
          r.iconSlot.replaceChildren(icon(p.ok ? "checkCircle" : "xCircle", 16, p.ok ? "ok-icon" : "bad-icon"));
          r.detail.textContent = p.ok ? tn("collect.finishedNew", p.new ?? 0) : t("collect.finishedFailed");
          break;
      }
    });

    /** @type {CollectResult | null} */
    let result = null;
    /** @type {CommandError | null} */
    let error = null;
    try {
      result = await api.collect(request);
    } catch (e) {
      error = e;
    } finally {
      unsubscribe();
    }
    if (m.closed) return;
    refreshDashboard();
    // The command itself failed (nothing was collected, e.g. invalid input): back to the form,
    // unless there is no form to go back to (collect all / per-server collect started directly).
    if (error && !opts.request) showForm(error);
    else showResults(result, error);
  }

  // ---------- results ----------
  /**
   * @param {CollectResult | null} result
   * @param {CommandError | null} error
   */
  function showResults(result, error) {
    phase = "results";
    m.setClosable(true);
    m.setTitle(t("collect.resultsTitle"));
    const closeBtn = h("button", { type: "button", class: "btn btn-primary", "data-testid": "collect-close", onClick: () => m.close("close") }, t("common.close"));
    const againBtn = h("button", { type: "button", class: "btn", "data-testid": "collect-again", onClick: () => showForm() }, t("collect.again"));

    /** @type {HTMLElement[]} */
    const content = [];
    if (error) {
      content.push(errorBox(error, lastRequest?.hosts));
    } else {
      const hosts = result?.hosts ?? [];
      const okCount = hosts.filter((x) => x.ok).length;
      content.push(
        h(
          "p",
          { class: "results-summary", "data-testid": "collect-summary" },
          hosts.length === 0 ? t("collect.noHosts") : t("collect.summary", { ok: formatNumber(okCount), total: formatNumber(hosts.length) }),
        ),
      );
      content.push(h("ul", { class: "result-list" }, hosts.map(resultRow)));
      const plain = hosts.filter((x) => x.error?.code === "plain_http").map((x) => x.host);
      if (plain.length && lastRequest) {
        const retry = lastRequest;
        content.push(
          h(
            "div",
            { class: "banner banner-warn", role: "group", "data-testid": "collect-plain-http" },
            icon("alert", 16),
            h(
              "div",
              null,
              h("p", null, t("collect.plainHttpAsk", { hosts: plain.join(", ") })),
              h(
                "button",
                {
                  type: "button",
                  class: "btn btn-sm",
                  "data-testid": "collect-allow-http",
                  onClick: () => run({ ...retry, hosts: plain.join(","), serverIds: null, all: false, allowHttp: true }),
                },
                t("collect.plainHttpAllow"),
              ),
            ),
          ),
        );
      }
      if (result?.saved?.length) {
        content.push(
          h(
            "div",
            { class: "saved-files", "data-testid": "collect-saved" },
            h("div", { class: "field-label" }, tn("collect.savedFiles", result.saved.length)),
            h("ul", null, result.saved.map((p) => h("li", { class: "mono small" }, p))),
          ),
        );
      }
    }
    m.body.replaceChildren(h("div", { class: "collect-results" }, content));
    m.setFooter(againBtn, closeBtn);
    closeBtn.focus();
  }

  if (opts.request) run(opts.request);
  return m;
}

/**
 * Collects one configured server: at once when it needs no typed password, else the form with
 * the server preselected.
 * @param {Server} server
 * @param {HTMLElement} returnFocus
 */
export function collectServer(server, returnFocus) {
  if (server.needsPassword) return openCollectDialog({ serverId: server.id, returnFocus });
  return openCollectDialog({ request: { serverIds: [server.id], saveJson: false }, returnFocus });
}

/**
 * One host's result: name, protocol, counts, fingerprint (self-signed), error, notes.
 * @param {HostSummary} r
 */
export function resultRow(r) {
  const srv = r.server;
  const title = srv?.name && srv.name !== r.host ? srv.name : r.host;
  const isDemo = srv && state.info?.demo?.serverId === srv.id;
  return h(
    "li",
    { class: `result-row ${r.ok ? "is-ok" : "is-bad"}`, "data-testid": "collect-result", "data-host": r.host, "data-ok": String(!!r.ok) },
    h("span", { class: "result-icon" }, icon(r.ok ? "checkCircle" : "xCircle", 18, r.ok ? "ok-icon" : "bad-icon")),
    h(
      "div",
      { class: "result-main" },
      h(
        "div",
        { class: "result-title" },
        h("strong", null, title),
        isDemo ? demoBadge() : null,
        srv ? protocolBadge(srv.protocol) : null,
        h("span", { class: "sr-only" }, r.ok ? t("collect.ok") : t("collect.failed")),
      ),
      h(
        "div",
        { class: "result-sub muted small" },
        [title !== r.host ? r.host : null, srv?.url ?? null, srv?.version ? t("server.version", { version: srv.version }) : null, formatDuration((r.durationMs ?? 0) / 1000)]
          .filter(Boolean)
          .join(" · "),
      ),
      r.ok || r.new || r.skipped || r.errors
        ? h(
            "div",
            { class: "result-counts" },
            h("span", { class: "count count-new" }, tn("collect.countNew", r.new ?? 0)),
            h("span", { class: "count" }, tn("collect.countSkipped", r.skipped ?? 0)),
            h("span", { class: `count ${r.errors ? "count-bad" : ""}` }, tn("collect.countErrors", r.errors ?? 0)),
          )
        : null,
      srv?.protocol === "https-self-signed"
        ? fingerprint(srv.certificateSha256, t(srv.certificateIsIssuer ? "proto.issuerPinned" : "proto.fingerprintPinned"))
        : null,
      !r.ok ? errorBox(r.error ?? { code: "unknown", message: "", hint: "" }, r.host, { compact: true }) : null,
      r.notes?.length ? h("ul", { class: "notes" }, r.notes.map((n) => h("li", null, icon("info", 14), h("span", null, n)))) : null,
    ),
  );
}
