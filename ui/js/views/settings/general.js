// Settings → General (the language) and About (versions, data and log folders,
// keychain, "Copy diagnostics"), and the banner shown when no system keychain is available.
import { h, replaceChildren, uid, copyText } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import * as api from "../../api.js";
import { state } from "../../state.js";
import { errorSentence } from "../../components/badges.js";
import { toast } from "../../components/toast.js";
/** @import { App } from "../../app.js" */

/**
 * The warning that passwords cannot be saved (app_info().keychain), or nothing.
 * @param {HTMLElement} slot
 */
export function renderKeychainBanner(slot) {
  const kc = state.info?.keychain;
  if (kc && kc.available === false) {
    replaceChildren(
      slot,
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
  } else slot.replaceChildren();
}

/**
 * The General section: the language (System, English, Español); a change re-renders the app.
 * @param {App} app
 */
export function generalSection(app) {
  const langId = uid("lang");
  const langSelect = h(
    "select",
    { id: langId, class: "input", "data-testid": "lang-select", onChange: (e) => changeLanguage(e.currentTarget) },
    h("option", { value: "" }, t("settings.langSystem")),
    h("option", { value: "en" }, "English"),
    h("option", { value: "es" }, "Español"),
  );
  langSelect.value = state.info?.language ?? "";

  /** @param {HTMLSelectElement} select */
  async function changeLanguage(select) {
    const value = select.value || null;
    select.setAttribute("aria-busy", "true");
    try {
      const uiLanguage = await api.setLanguage(value);
      if (state.info) state.info = { ...state.info, language: value, uiLanguage };
      app.applyLanguage();
    } catch (e) {
      select.removeAttribute("aria-busy");
      select.value = state.info?.language ?? "";
      toast(errorSentence(e), { kind: "error" });
    }
  }

  return h(
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
  );
}

/** The About section; `render()` fills it from app_info() and the last diagnostics(), `refresh()` reloads those. */
export function aboutSection() {
  const aboutEl = h("dl", { class: "meta-grid about" });
  const copyDiagBtn = h(
    "button",
    { type: "button", class: "btn btn-sm", "data-testid": "copy-diagnostics", onClick: () => copyDiagnostics() },
    icon("copy", 14),
    t("settings.copyDiagnostics"),
  );
  const el = h(
    "section",
    { class: "settings-section", "aria-labelledby": "set-about" },
    h("div", { class: "section-head" }, h("h2", { class: "section-title", id: "set-about" }, t("settings.about"))),
    h(
      "div",
      { class: "card form-card" },
      aboutEl,
      h("div", { class: "about-actions" }, copyDiagBtn, h("span", { class: "field-hint" }, t("settings.diagnosticsHint"))),
    ),
  );

  /** @type {import("../../types").Diagnostics | null} */
  let diag = null;
  // Loaded when the page opens and again after every change of the data (counts and errors
  // change as collections run), so "Copy diagnostics" can copy at once: the web view allows
  // the clipboard only while the click is being handled, not after waiting for the app.
  function refresh() {
    return api.diagnostics().then(
      (d) => {
        diag = d;
        render();
      },
      () => {},
    );
  }
  refresh();

  async function copyDiagnostics() {
    if (!diag) {
      await refresh();
    }
    const copied = diag ? await copyText(diag.report) : false;
    toast(copied ? t("settings.diagnosticsCopied") : t("common.copyFailed"), { kind: copied ? "success" : "error" });
  }

  async function openLogFolder() {
    try {
      await api.openLogFolder();
    } catch (e) {
      toast(errorSentence(e), { kind: "error" });
    }
  }

  function render() {
    const info = state.info;
    const copyBtn = h(
      "button",
      {
        type: "button",
        class: "icon-btn icon-btn-sm",
        "aria-label": t("settings.copyDataDir"),
        title: t("common.copy"),
        onClick: async () => toast((await copyText(info?.dataDir ?? "")) ? t("common.copied") : t("common.copyFailed")),
      },
      icon("copy", 14),
    );
    const openLogBtn = h(
      "button",
      { type: "button", class: "btn btn-sm", "data-testid": "open-log-folder", onClick: () => openLogFolder() },
      icon("folder", 14),
      t("settings.openLogDir"),
    );
    const components = diag ? diag.versions.slice(1).map((c) => `${c.name} ${c.version}`).join(" · ") : "—";
    replaceChildren(
      aboutEl,
      h("dt", null, t("settings.version")),
      h("dd", { "data-testid": "app-version" }, info?.version ?? "—"),
      h("dt", null, t("settings.components")),
      h("dd", { "data-testid": "app-components" }, components || "—"),
      h("dt", null, t("settings.os")),
      h("dd", { "data-testid": "app-os" }, diag?.os ?? "—"),
      h("dt", null, t("settings.dataDir")),
      h("dd", { class: "data-dir" }, h("code", { class: "mono" }, info?.dataDir ?? "—"), info?.dataDir ? copyBtn : null),
      h("dt", null, t("settings.logDir")),
      h("dd", { class: "data-dir" }, h("code", { class: "mono", "data-testid": "log-dir" }, diag?.logDir ?? "—"), openLogBtn),
      h("dt", null, t("settings.keychain")),
      h("dd", null, info?.keychain?.available ? t("settings.keychainOk") : t("settings.keychainMissing")),
    );
  }

  return { el, render, refresh };
}
