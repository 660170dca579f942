// Settings: servers (edit, test connection, re-trust, password in the keychain, collect,
// delete), import of collected JSON files, language, about.
import { h, replaceChildren, uid, copyText } from "../dom.js";
import { icon } from "../icons.js";
import { t, tn } from "../i18n.js";
import * as api from "../api.js";
import { state, servers, refreshDashboard, refreshInfo, subscribe } from "../state.js";
import { openModal, confirmDialog, setBusy } from "../components/modal.js";
import { openCollectDialog, resultRow } from "../components/collect-dialog.js";
import { protocolBadge, demoBadge, fingerprint, errorBox, errorSentence, relTime } from "../components/badges.js";
import { toast } from "../components/toast.js";

export function createSettingsView(app) {
  // Test results survive a re-render (data://changed) until the server is tested again.
  const testResults = new Map(); // server id -> node

  const keychainSlot = h("div", { class: "keychain-slot" });
  const listEl = h("div", { class: "settings-list", "data-testid": "server-list-settings" });

  const collectAllBtn = h(
    "button",
    {
      type: "button",
      class: "btn",
      "data-testid": "collect-all",
      onClick: (e) => openCollectDialog({ request: { all: true, saveJson: false }, returnFocus: e.currentTarget }),
    },
    icon("download"),
    t("settings.collectAll"),
  );
  const importBtn = h("button", { type: "button", class: "btn", "data-testid": "import-files", onClick: (e) => doImport(e.currentTarget) }, icon("upload"), t("settings.import"));

  // ----- general -----
  const langId = uid("lang");
  const langSelect = h(
    "select",
    { id: langId, class: "input", "data-testid": "lang-select", onChange: (e) => changeLanguage(e.target) },
    h("option", { value: "" }, t("settings.langSystem")),
    h("option", { value: "en" }, "English"),
    h("option", { value: "es" }, "Español"),
  );
  langSelect.value = state.info?.language ?? "";

  const aboutEl = h("dl", { class: "meta-grid about" });

  const el = h(
    "section",
    { class: "view view-settings", "aria-label": t("nav.settings") },
    h("div", { class: "page-head" }, h("h1", { class: "page-title" }, t("nav.settings"))),
    keychainSlot,
    h(
      "section",
      { class: "settings-section", "aria-labelledby": "set-servers" },
      h(
        "div",
        { class: "section-head" },
        h("div", null, h("h2", { class: "section-title", id: "set-servers" }, t("settings.servers")), h("p", { class: "muted small" }, t("settings.serversHint"))),
        h("div", { class: "page-actions" }, importBtn, collectAllBtn),
      ),
      listEl,
    ),
    h(
      "section",
      { class: "settings-section", "aria-labelledby": "set-general" },
      h("div", { class: "section-head" }, h("h2", { class: "section-title", id: "set-general" }, t("settings.general"))),
      h(
        "div",
        { class: "card form-card" },
        h(
          "div",
          { class: "field field-row-inline" },
          h("label", { for: langId, class: "field-label" }, t("settings.language")),
          langSelect,
          h("span", { class: "field-hint" }, t("settings.languageHint")),
        ),
      ),
    ),
    h(
      "section",
      { class: "settings-section", "aria-labelledby": "set-about" },
      h("div", { class: "section-head" }, h("h2", { class: "section-title", id: "set-about" }, t("settings.about"))),
      h("div", { class: "card form-card" }, aboutEl),
    ),
  );

  async function changeLanguage(select) {
    const value = select.value || null;
    select.setAttribute("aria-busy", "true");
    try {
      const uiLanguage = await api.setLanguage(value);
      state.info = { ...state.info, language: value, uiLanguage };
      app.applyLanguage();
    } catch (e) {
      select.removeAttribute("aria-busy");
      select.value = state.info?.language ?? "";
      toast(errorSentence(e), { kind: "error" });
    }
  }

  // ----- keychain banner -----
  function renderKeychain() {
    const kc = state.info?.keychain;
    if (kc && kc.available === false) {
      replaceChildren(
        keychainSlot,
        h(
          "div",
          { class: "banner banner-warn", role: "status", "data-testid": "keychain-warning" },
          icon("alert", 16),
          h(
            "div",
            null,
            h("div", null, t("settings.noKeychain")),
            kc.message ? h("details", { class: "error-details" }, h("summary", null, t("common.details")), h("p", { class: "small" }, kc.message)) : null,
          ),
        ),
      );
    } else keychainSlot.replaceChildren();
  }

  function renderAbout() {
    const info = state.info ?? {};
    const copyBtn = h(
      "button",
      {
        type: "button",
        class: "icon-btn icon-btn-sm",
        "aria-label": t("settings.copyDataDir"),
        title: t("common.copy"),
        onClick: async () => toast((await copyText(info.dataDir ?? "")) ? t("common.copied") : t("common.copyFailed")),
      },
      icon("copy", 14),
    );
    replaceChildren(
      aboutEl,
      h("dt", null, t("settings.version")),
      h("dd", { "data-testid": "app-version" }, info.version ?? "—"),
      h("dt", null, t("settings.dataDir")),
      h("dd", { class: "data-dir" }, h("code", { class: "mono" }, info.dataDir ?? "—"), info.dataDir ? copyBtn : null),
      h("dt", null, t("settings.keychain")),
      h("dd", null, info.keychain?.available ? t("settings.keychainOk") : t("settings.keychainMissing")),
    );
  }

  // ----- server rows -----
  function renderList() {
    const list = servers();
    collectAllBtn.disabled = list.length === 0;
    const active = document.activeElement;
    let focusKey = null;
    if (active && listEl.contains(active)) {
      focusKey = { tid: active.dataset.testid, server: active.closest('[data-testid="server-row"]')?.dataset.serverId };
    }
    if (!state.dashboard) {
      replaceChildren(listEl, [0, 1].map(() => h("div", { class: "card server-row", "aria-hidden": "true" }, h("div", { class: "skeleton skel-title" }), h("div", { class: "skeleton skel-line wide" }))));
      return;
    }
    if (list.length === 0) {
      replaceChildren(
        listEl,
        h(
          "div",
          { class: "card table-empty", "data-testid": "settings-empty" },
          icon("server", 28, "muted-icon"),
          h("p", null, t("settings.noServers")),
          h("button", { type: "button", class: "btn btn-primary btn-sm", onClick: (e) => openCollectDialog({ returnFocus: e.currentTarget }) }, icon("download", 14), t("empty.collect")),
        ),
      );
      return;
    }
    replaceChildren(listEl, list.map(serverRow));
    if (focusKey?.server && focusKey.tid) {
      listEl.querySelector(`[data-testid="server-row"][data-server-id="${focusKey.server}"] [data-testid="${focusKey.tid}"]`)?.focus({ preventScroll: true });
    }
  }

  function serverRow(s) {
    const kcOk = state.info?.keychain?.available !== false;
    const btn = (testid, ic, label, onClick, extra = {}) =>
      h("button", { type: "button", class: "btn btn-sm", "data-testid": testid, onClick: (e) => onClick(e.currentTarget), ...extra }, icon(ic, 14), label);
    const testSlot = h("div", { class: "test-slot", "data-testid": "server-test-slot" }, testResults.get(s.id) ?? null);
    const actions = [
      btn("server-collect", "download", t("server.collect"), (b) =>
        s.hasPassword || s.isDemo
          ? openCollectDialog({ request: { serverIds: [s.id], saveJson: false }, returnFocus: b })
          : openCollectDialog({ serverId: s.id, returnFocus: b }),
      ),
      btn("server-test", "zap", t("server.test"), (b) => testServer(s, b, testSlot)),
      btn("server-edit", "edit", t("server.edit"), (b) => editServer(s, b)),
      btn("server-set-password", "key", s.hasPassword ? t("server.changePassword") : t("server.setPassword"), (b) => setPasswordDialog(s, b), {
        disabled: !kcOk,
        title: kcOk ? null : t("settings.noKeychainShort"),
      }),
      s.hasPassword ? btn("server-clear-password", "x", t("server.clearPassword"), (b) => clearPasswordDialog(s, b)) : null,
      s.isDemo
        ? btn("demo-remove", "trash", t("demo.remove"), (b) => removeDemo(b), { class: "btn btn-sm btn-danger-ghost" })
        : btn("server-delete", "trash", t("server.delete"), (b) => deleteServerDialog(s, b), { class: "btn btn-sm btn-danger-ghost" }),
    ];
    return h(
      "div",
      { class: "card server-row", "data-testid": "server-row", "data-server-id": String(s.id) },
      h(
        "div",
        { class: "server-row-main" },
        h(
          "div",
          { class: "server-row-info" },
          h("div", { class: "card-title-line" }, icon("server", 16, "muted-icon"), h("h3", { class: "card-title" }, s.displayName), s.isDemo ? demoBadge() : null),
          h(
            "div",
            { class: "card-sub" },
            h("span", { class: "url" }, s.url ?? `${s.host}:${s.port}`),
            protocolBadge(s.protocol),
            s.version ? h("span", { class: "muted" }, t("server.version", { version: s.version })) : null,
          ),
          h(
            "div",
            { class: "card-sub small" },
            h("span", { class: s.hasPassword ? "pw-state ok" : "pw-state" }, icon(s.hasPassword ? "key" : "unlock", 12), s.hasPassword ? t("server.passwordSaved") : t("server.passwordNotSaved")),
            s.lastCollectAt != null
              ? h("span", { class: "muted" }, s.lastOk === false ? t("server.lastCollectFailed") : t("server.lastCollectOk"), " ", relTime(s.lastCollectAt))
              : h("span", { class: "muted" }, t("server.neverCollected")),
            s.alias && s.alias !== s.name ? h("span", { class: "muted" }, t("server.nameIs", { name: s.name })) : null,
          ),
          s.note ? h("p", { class: "server-note" }, s.note) : null,
        ),
        h("div", { class: "server-row-actions" }, actions),
      ),
      testSlot,
    );
  }

  // ----- actions -----
  async function testServer(s, b, slot) {
    setBusy(b, true);
    slot.replaceChildren(h("div", { class: "test-running muted small" }, h("span", { class: "progress-indeterminate", "aria-hidden": "true" }), t("server.testing")));
    try {
      const r = await api.testConnection({ serverId: s.id });
      const node = testResultNode(s, r);
      testResults.set(s.id, node);
      slot.replaceChildren(node);
    } catch (e) {
      const node = h("div", { class: "test-result", "data-testid": "server-test-result", "data-ok": "false" }, errorBox(e, s.host, { compact: true }));
      testResults.set(s.id, node);
      slot.replaceChildren(node);
    } finally {
      setBusy(b, false);
    }
  }

  function testResultNode(s, r) {
    if (r.ok) {
      return h(
        "div",
        { class: "test-result ok", "data-testid": "server-test-result", "data-ok": "true", role: "status" },
        h(
          "div",
          { class: "test-line" },
          icon("checkCircle", 16, "ok-icon"),
          h("strong", null, t("server.testOk")),
          protocolBadge(r.protocol),
          r.version ? h("span", { class: "muted" }, t("server.version", { version: r.version })) : null,
          r.name ? h("span", { class: "muted" }, r.name) : null,
          r.url ? h("span", { class: "url muted" }, r.url) : null,
        ),
        r.protocol === "https-self-signed" ? fingerprint(r.certificateSha256) : null,
      );
    }
    const err = r.error ?? { code: "unknown", message: "", hint: "" };
    const changed = err.code === "certificate_changed";
    const retrustSlot = h("div", { class: "retrust-slot" });
    const retrustBtn = changed
      ? h(
          "button",
          {
            type: "button",
            class: "btn btn-sm btn-primary",
            "data-testid": "server-retrust",
            onClick: async (e) => {
              const b = e.currentTarget;
              setBusy(b, true);
              try {
                const summary = await api.retrustServer(s.id);
                if (summary.ok) {
                  // The warning is resolved: the result of the collection replaces it.
                  const done = h("div", { class: "test-result", "data-testid": "server-test-result", "data-ok": "true" }, h("ul", { class: "result-list" }, resultRow(summary)));
                  testResults.set(s.id, done);
                  node.replaceWith(done);
                  listEl.querySelector(`[data-testid="server-row"][data-server-id="${s.id}"] [data-testid="server-test"]`)?.focus();
                } else {
                  retrustSlot.replaceChildren(h("ul", { class: "result-list" }, resultRow(summary)));
                  setBusy(b, false);
                }
                toast(summary.ok ? t("server.retrusted") : errorSentence(summary.error, s.host), { kind: summary.ok ? "success" : "error" });
                refreshDashboard();
              } catch (err2) {
                setBusy(b, false);
                retrustSlot.replaceChildren(errorBox(err2, s.host, { compact: true }));
              }
            },
          },
          icon("shield", 14),
          t("server.retrust"),
        )
      : null;
    const node = h(
      "div",
      { class: "test-result bad", "data-testid": "server-test-result", "data-ok": "false" },
      errorBox(err, s.host, { compact: true }),
      changed
        ? h(
            "div",
            { class: "cert-compare" },
            fingerprint(r.pinnedSha256, t("server.pinnedFp")),
            fingerprint(r.certificateSha256, t("server.newFp")),
            h("p", { class: "small muted" }, t("server.retrustHint")),
            retrustBtn,
            retrustSlot,
          )
        : null,
    );
    return node;
  }

  function editServer(s, opener) {
    const ids = { alias: uid("ea"), note: uid("en"), host: uid("eh"), port: uid("ep") };
    const alias = h("input", { type: "text", id: ids.alias, class: "input", value: s.alias ?? "", placeholder: s.name, "data-testid": "server-alias", autocomplete: "off" });
    const note = h("textarea", { id: ids.note, class: "input", rows: 3, value: s.note ?? "", "data-testid": "server-note" });
    const host = h("input", { type: "text", id: ids.host, class: "input", value: s.host ?? "", "data-testid": "server-host", autocomplete: "off", spellcheck: false });
    const port = h("input", { type: "number", id: ids.port, class: "input input-port", min: "1", max: "65535", value: String(s.port ?? 8200), "data-testid": "server-port" });
    const err = h("div", { class: "form-error-slot" });
    const save = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "server-save" }, t("common.save"));
    const cancel = h("button", { type: "button", class: "btn", onClick: () => m.close("cancel") }, t("common.cancel"));
    let busy = false;
    const m = openModal({
      title: t("edit.title", { name: s.displayName }),
      testid: "server-edit-dialog",
      size: "md",
      returnFocus: opener,
      canClose: (reason) => !busy || reason === "force",
      body: h(
        "div",
        { class: "form-grid" },
        h("div", { class: "field" }, h("label", { for: ids.alias, class: "field-label" }, t("edit.alias")), alias, h("div", { class: "field-hint" }, t("edit.aliasHint", { name: s.name }))),
        h(
          "div",
          { class: "field-row" },
          h("div", { class: "field" }, h("label", { for: ids.host, class: "field-label" }, t("edit.host")), host),
          h("div", { class: "field" }, h("label", { for: ids.port, class: "field-label" }, t("collect.port")), port),
        ),
        h("div", { class: "field-hint" }, t("edit.hostHint")),
        h("div", { class: "field" }, h("label", { for: ids.note, class: "field-label" }, t("edit.note")), note),
        err,
      ),
      footer: [cancel, save],
      onSubmit: async () => {
        if (busy) return;
        err.replaceChildren();
        const p = Number(port.value);
        if (!host.value.trim()) {
          err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("collect.needHost")));
          host.focus();
          return;
        }
        if (!Number.isInteger(p) || p < 1 || p > 65535) {
          err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("collect.badPort")));
          port.focus();
          return;
        }
        busy = true;
        setBusy(save, true);
        try {
          await api.updateServer(s.id, { alias: alias.value.trim() || null, note: note.value.trim() || null, host: host.value.trim(), port: p });
          busy = false;
          m.close("force");
          toast(t("edit.saved"), { kind: "success" });
          refreshDashboard();
        } catch (e) {
          busy = false;
          setBusy(save, false);
          err.replaceChildren(errorBox(e, host.value.trim()));
        }
      },
    });
  }

  function setPasswordDialog(s, opener) {
    const id = uid("pw");
    const input = h("input", { type: "password", id, class: "input", "data-testid": "password-input", autocomplete: "off" });
    const err = h("div", { class: "form-error-slot" });
    const save = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "password-save" }, t("common.save"));
    let busy = false;
    const m = openModal({
      title: t("password.title", { name: s.displayName }),
      testid: "password-dialog",
      size: "sm",
      returnFocus: opener,
      canClose: (reason) => !busy || reason === "force",
      body: [
        h("div", { class: "field" }, h("label", { for: id, class: "field-label" }, t("collect.password")), input, h("div", { class: "field-hint" }, t("password.hint"))),
        err,
      ],
      footer: [h("button", { type: "button", class: "btn", onClick: () => m.close("cancel") }, t("common.cancel")), save],
      onSubmit: async () => {
        if (busy) return;
        if (!input.value) {
          err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("password.empty")));
          input.focus();
          return;
        }
        busy = true;
        setBusy(save, true);
        try {
          await api.setPassword(s.id, input.value);
          busy = false;
          m.close("force");
          toast(t("password.saved"), { kind: "success" });
          refreshDashboard();
        } catch (e) {
          busy = false;
          setBusy(save, false);
          err.replaceChildren(errorBox(e, s.host));
        }
      },
    });
  }

  function clearPasswordDialog(s, opener) {
    confirmDialog({
      title: t("password.clearTitle", { name: s.displayName }),
      message: t("password.clearMessage"),
      okLabel: t("server.clearPassword"),
      danger: true,
      returnFocus: opener,
      action: async () => {
        await api.clearPassword(s.id);
        toast(t("password.cleared"), { kind: "success" });
        refreshDashboard();
      },
    }).then(() => opener.isConnected && opener.focus());
  }

  function deleteServerDialog(s, opener) {
    confirmDialog({
      title: t("delete.title", { name: s.displayName }),
      message: t("delete.message"),
      okLabel: t("delete.ok"),
      okIcon: "trash",
      danger: true,
      testid: "delete-dialog",
      returnFocus: opener,
      action: async () => {
        await api.deleteServer(s.id);
        testResults.delete(s.id);
        toast(t("delete.done", { name: s.displayName }), { kind: "success" });
        await refreshDashboard();
      },
    }).then((done) => {
      if (done) (listEl.querySelector('[data-testid="server-edit"]') ?? collectAllBtn).focus();
    });
  }

  async function removeDemo(b) {
    setBusy(b, true);
    try {
      await api.removeDemo();
      toast(t("demo.removed"), { kind: "success" });
      await Promise.all([refreshDashboard(), refreshInfo().catch(() => {})]);
    } catch (e) {
      setBusy(b, false);
      toast(errorSentence(e), { kind: "error" });
    }
  }

  async function doImport(b) {
    setBusy(b, true);
    try {
      const res = await api.importFiles();
      if (res === null || res === undefined) return; // dialog cancelled
      refreshDashboard();
      const m = openModal({
        title: t("import.title"),
        testid: "import-result",
        size: "md",
        returnFocus: b,
        body:
          res.length === 0
            ? h("p", null, t("import.none"))
            : h(
                "ul",
                { class: "result-list" },
                res.map((r) =>
                  h(
                    "li",
                    { class: "result-row is-ok", "data-testid": "import-row" },
                    h("span", { class: "result-icon" }, icon("checkCircle", 18, "ok-icon")),
                    h(
                      "div",
                      { class: "result-main" },
                      h("div", { class: "result-title" }, h("strong", null, r.server || "—")),
                      h("div", { class: "mono small muted file-path" }, r.file),
                      h(
                        "div",
                        { class: "result-counts" },
                        h("span", { class: "count" }, tn("import.jobs", r.jobs ?? 0)),
                        h("span", { class: "count count-new" }, tn("collect.countNew", r.new ?? 0)),
                        h("span", { class: "count" }, tn("collect.countSkipped", r.skipped ?? 0)),
                      ),
                    ),
                  ),
                ),
              ),
        footer: [h("button", { type: "button", class: "btn btn-primary", "data-testid": "import-close", onClick: () => m.close() }, t("common.close"))],
      });
    } catch (e) {
      openModal({
        title: t("import.failed"),
        size: "sm",
        returnFocus: b,
        body: errorBox(e),
      });
    } finally {
      setBusy(b, false);
    }
  }

  function render() {
    renderKeychain();
    renderAbout();
    renderList();
  }
  const unsub = subscribe(render);
  render();

  return {
    el,
    refresh: () => refreshDashboard(),
    focusSearch: () => false,
    destroy: unsub,
  };
}

