"""German translations for Parley's UI, merged into app/translations/parley_de.ts.

    python scripts/german.py    # fills every <message> whose source is listed here

Kept as a table in Python so review happens in one readable place; Qt Linguist users
can edit the .ts file directly instead (this script never overwrites a translation that
is already there and differs).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TS = Path(__file__).resolve().parents[1] / "app" / "translations" / "parley_de.ts"

GERMAN: dict[str, str] = {
    # the redesigned composer, toolbar and context gauge
    "Middle-out is on: OpenRouter drops messages from the middle when the chat does not fit "
    "the model.":
        "Middle-out ist an: OpenRouter lässt Nachrichten aus der Mitte weg, wenn der Chat "
        "nicht in das Modell passt.",
    "New chat: it starts from a summary of “{title}” (in its system prompt).":
        "Neuer Chat: Er beginnt mit einer Zusammenfassung von „{title}“ (im Systemprompt).",
    "The model returned no summary; nothing changed.":
        "Das Modell hat keine Zusammenfassung geliefert; nichts wurde geändert.",
    "Writing a summary of this chat…": "Zusammenfassung dieses Chats wird geschrieben…",
    "{n} older messages are left out of requests; they stay in the chat.":
        "{n} ältere Nachrichten werden nicht mehr mitgesendet; sie bleiben im Chat.",
    "Choose a model": "Modell wählen",
    "Choose the model": "Das Modell wählen",
    "Model: {model}. Click to choose another.":
        "Modell: {model}. Klicken, um ein anderes zu wählen.",
    "Send (Enter)": "Senden (Eingabe)",
    "Stop the reply (Esc)": "Antwort stoppen (Esc)",
    "About {tokens} tokens go to the model with the next message (its context length is "
    "not known).":
        "Mit der nächsten Nachricht gehen etwa {tokens} Tokens an das Modell (seine "
        "Kontextlänge ist unbekannt).",
    "About {tokens} tokens go to the model with the next message: {percent} % of its "
    "context of {limit}.":
        "Mit der nächsten Nachricht gehen etwa {tokens} Tokens an das Modell: {percent} % "
        "seines Kontexts von {limit}.",
    "Ask the model for a summary and continue from it in a new chat":
        "Das Modell um eine Zusammenfassung bitten und damit in einem neuen Chat weitermachen",
    "Context used": "Belegter Kontext",
    "Drop Oldest Turns": "Älteste Runden weglassen",
    "Enable Middle-Out Compression": "Middle-out-Komprimierung einschalten",
    "How much of the model's context the next message uses":
        "Wie viel vom Kontext des Modells die nächste Nachricht belegt",
    "Leave the oldest turns out of requests; they stay in the chat":
        "Die ältesten Runden nicht mehr mitsenden; sie bleiben im Chat",
    "Let OpenRouter cut the middle of the conversation when it does not fit":
        "OpenRouter die Mitte der Unterhaltung kürzen lassen, wenn sie nicht passt",
    "Oldest turns are left out.": "Die ältesten Runden werden weggelassen.",
    "Over the limit: the request may be refused or cut. Click for choices.":
        "Über der Grenze: Die Anfrage kann abgelehnt oder gekürzt werden. Klicken für "
        "Möglichkeiten.",
    "Send All Turns Again": "Wieder alle Runden senden",
    "Start a New Chat with a Summary": "Neuen Chat mit Zusammenfassung beginnen",
    "Browse models": "Modelle durchsuchen",
    "Compare models side by side": "Modelle nebeneinander vergleichen",
    "Settings of this conversation": "Einstellungen dieser Unterhaltung",
    "{model} via {provider}": "{model} über {provider}",
    "That conversation no longer exists.": "Diese Unterhaltung gibt es nicht mehr.",
    "Could not load the model list: {error}":
        "Die Modellliste konnte nicht geladen werden: {error}",
    "Waiting for {model}…": "Warte auf {model}…",
    "Move to Endpoint": "Zu Endpunkt verschieben",
    "This chat now uses the endpoint {name}.": "Dieser Chat verwendet jetzt den Endpunkt {name}.",
    "Stopped. The partial reply was kept.": "Gestoppt. Die bisherige Antwort wurde behalten.",
    "Message": "Nachricht",
    "Message…  (Enter to send, Shift+Enter for a new line)":
        "Nachricht…  (Eingabe sendet, Umschalt+Eingabe für eine neue Zeile)",
    "Send": "Senden",
    "Stop": "Stopp",
    "just now": "gerade eben",
    "{n} min ago": "vor {n} Min.",
    "{n} h ago": "vor {n} Std.",
    "{n} d ago": "vor {n} Tagen",
    "+  New chat": "+  Neuer Chat",
    "New chat": "Neuer Chat",
    "New chat (Ctrl+N)": "Neuer Chat (Strg+N)",
    "Conversations": "Unterhaltungen",
    "Rename": "Umbenennen",
    "Delete…": "Löschen…",
    "Delete conversation?": "Unterhaltung löschen?",
    "Delete “{title}” and its {count} messages? This cannot be undone.":
        "„{title}“ und die {count} Nachrichten löschen? Das lässt sich nicht rückgängig machen.",
    "{title}\n{count} messages · {when}": "{title}\n{count} Nachrichten · {when}",
    "Main": "Haupt",
    "Settings": "Einstellungen",
    " Model ": " Modell ",
    "Quit": "Beenden",
    "Close Window": "Fenster schließen",
    "Export Conversation…": "Unterhaltung exportieren…",
    "Stop Reply": "Antwort stoppen",
    "Copy Last Reply": "Letzte Antwort kopieren",
    "Focus Message Box": "Zum Nachrichtenfeld",
    "Keyboard Shortcuts": "Tastenkürzel",
    "About Parley": "Über Parley",
    "&File": "&Datei",
    "&Edit": "&Bearbeiten",
    "&View": "&Ansicht",
    "&Conversation": "&Unterhaltung",
    "&Help": "&Hilfe",
    "A fast native chat client for OpenRouter and OpenAI-compatible endpoints.":
        "Ein schneller nativer Chat-Client für OpenRouter und OpenAI-kompatible Server.",
    "Your history stays in a SQLite file in your data folder; your API key stays in the "
    "system keychain.":
        "Ihr Verlauf bleibt in einer SQLite-Datei in Ihrem Datenordner, Ihr API-Schlüssel im "
        "Schlüsselbund des Systems.",
    "API key not accepted": "API-Schlüssel nicht akzeptiert",
    "Open Settings": "Einstellungen öffnen",
    "free": "kostenlos",
    "Model": "Modell",
    "Model: pick from the list or type any model id":
        "Modell: aus der Liste wählen oder eine Modell-ID eingeben",
    "{name}\ncontext {ctx} · in {inp} / out {out} per 1M tokens":
        "{name}\nKontext {ctx} · Eingabe {inp} / Ausgabe {out} pro 1 Mio. Tokens",
    "Settings not saved": "Einstellungen nicht gespeichert",
    "Could not write the settings file: {error}":
        "Die Einstellungsdatei konnte nicht geschrieben werden: {error}",
    "Key not stored": "Schlüssel nicht gespeichert",
    "There is no reply to copy yet.": "Es gibt noch keine Antwort zum Kopieren.",
    "Last reply copied to the clipboard.": "Letzte Antwort in die Zwischenablage kopiert.",
    "Open a conversation to export it.": "Öffnen Sie eine Unterhaltung, um sie zu exportieren.",
    "Export Conversation": "Unterhaltung exportieren",
    "Export failed": "Export fehlgeschlagen",
    "Could not write {path}: {error}.": "{path} konnte nicht geschrieben werden: {error}.",
    "Image not saved": "Bild nicht gespeichert",
    "Exported to {path}": "Exportiert nach {path}",
    "Stored in the system keychain.": "Im Schlüsselbund des Systems gespeichert.",
    "Not stored ({error}) It is used until Parley closes.":
        "Nicht gespeichert ({error}) Er wird verwendet, bis Parley beendet wird.",
    "Settings not loaded": "Einstellungen nicht geladen",
    "{error}\n\nParley starts with default settings.":
        "{error}\n\nParley startet mit den Standardeinstellungen.",
    "History could not be opened": "Der Verlauf konnte nicht geöffnet werden",
    "Parley Settings": "Parley-Einstellungen",
    "API key": "API-Schlüssel",
    "stored: {key}": "gespeichert: {key}",
    "Show": "Anzeigen",
    "Show key": "Schlüssel anzeigen",
    "Test key": "Schlüssel prüfen",
    "Remove key": "Schlüssel entfernen",
    "Remove stored key": "Gespeicherten Schlüssel entfernen",
    "Keychain: {name}.": "Schlüsselbund: {name}.",
    "${var} is set, so it is used; it is never saved anywhere. A key entered here is stored "
    "for when the variable is not set.":
        "${var} ist gesetzt und wird verwendet; er wird nirgends gespeichert. Ein hier "
        "eingegebener Schlüssel gilt, wenn die Variable nicht gesetzt ist.",
    "A key is stored ({key}). Leave the field empty to keep it.":
        "Ein Schlüssel ist gespeichert ({key}). Lassen Sie das Feld leer, um ihn zu behalten.",
    "no secure keychain: the key cannot be stored":
        "kein sicherer Schlüsselbund: der Schlüssel kann nicht gespeichert werden",
    "Default model": "Standardmodell",
    "e.g. openai/gpt-4o-mini or openrouter/auto": "z. B. openai/gpt-4o-mini oder openrouter/auto",
    "Base URL": "Basis-URL",
    "${var} is set and overrides this value.": "${var} ist gesetzt und ersetzt diesen Wert.",
    "OpenRouter, or any OpenAI-compatible server (llama.cpp, Ollama…).":
        "OpenRouter oder ein beliebiger OpenAI-kompatibler Server (llama.cpp, Ollama…).",
    "Hide": "Verbergen",
    "Enter a key to test.": "Geben Sie einen Schlüssel zum Prüfen ein.",
    "Testing {key}…": "Prüfe {key}…",
    "The stored key was removed from the keychain.":
        "Der gespeicherte Schlüssel wurde aus dem Schlüsselbund entfernt.",
    "Send the message": "Nachricht senden",
    "New line in the message": "Neue Zeile in der Nachricht",
    "Keyboard shortcuts": "Tastenkürzel",
    "Action": "Aktion",
    "Shortcut": "Kürzel",
    "Welcome to Parley": "Willkommen bei Parley",
    "Chat with hundreds of models through OpenRouter, or with a model running on your own "
    "machine. Your conversations stay in a local database; your key stays in the system "
    "keychain.":
        "Chatten Sie über OpenRouter mit Hunderten von Modellen oder mit einem Modell auf "
        "Ihrem eigenen Rechner. Ihre Unterhaltungen bleiben in einer lokalen Datenbank, Ihr "
        "Schlüssel im Schlüsselbund des Systems.",
    "OpenRouter API key": "OpenRouter-API-Schlüssel",
    "Paste your OpenRouter key (sk-or-v1-…)": "OpenRouter-Schlüssel einfügen (sk-or-v1-…)",
    "Connect": "Verbinden",
    "Connect with this key": "Mit diesem Schlüssel verbinden",
    "Create a key on openrouter.ai…": "Schlüssel auf openrouter.ai erstellen…",
    "Create a key on openrouter.ai": "Schlüssel auf openrouter.ai erstellen",
    "Or use a local OpenAI-compatible server (llama.cpp, Ollama, LM Studio, vLLM):":
        "Oder einen lokalen OpenAI-kompatiblen Server verwenden (llama.cpp, Ollama, LM Studio, "
        "vLLM):",
    "Local server URL": "URL des lokalen Servers",
    "Use this server": "Diesen Server verwenden",
    "Use this local server": "Diesen lokalen Server verwenden",
    "Paste a key first.": "Fügen Sie zuerst einen Schlüssel ein.",
    "Checking the key with OpenRouter…": "Prüfe den Schlüssel bei OpenRouter…",
    "The address must start with http:// or https://.":
        "Die Adresse muss mit http:// oder https:// beginnen.",
    "Asking {url} for its models…": "Frage {url} nach seinen Modellen…",
    "Replies interrupted when Parley last closed: %n (their text is kept).":
        "Beim letzten Beenden unterbrochene Antworten: %n (ihr Text bleibt erhalten).",
    "Archived. Choose “Archived” above the list to see it.":
        "Archiviert. Wählen Sie „Archiviert“ über der Liste, um sie zu sehen.",
    "Moved back from the archive.": "Aus dem Archiv zurückgeholt.",
    "Show conversations": "Unterhaltungen anzeigen",
    "Delete": "Löschen",
    "Pin": "Anheften",
    "Unpin": "Lösen",
    "Archive": "Archivieren",
    "Unarchive": "Aus dem Archiv holen",
    "Tags…": "Schlagwörter…",
    "Tags": "Schlagwörter",
    "Tags for “{title}”, separated by commas:":
        "Schlagwörter für „{title}“, durch Kommas getrennt:",
    "All conversations": "Alle Unterhaltungen",
    "Archived": "Archiviert",
    "Undo": "Rückgängig",
    "Undo delete": "Löschen rückgängig machen",
    "Deleted “{title}”.": "„{title}“ gelöscht.",
    "Offline: showing the saved model list ({error})":
        "Offline: die gespeicherte Modellliste wird angezeigt ({error})",
    "Could not save the defaults: {error}":
        "Die Standardwerte konnten nicht gespeichert werden: {error}",
    "(Esc cancels)": "(Esc bricht ab)",
    "This chat {cost}": "Dieser Chat {cost}",
    "today {cost}": "heute {cost}",
    "Stopped, but {provider} bills the full reply even after a stop (charged {cost}).":
        "Gestoppt, aber {provider} berechnet auch nach einem Stopp die ganze Antwort "
        "(berechnet: {cost}).",
    "Stopped. The provider charged {cost} for the part generated.":
        "Gestoppt. Der Anbieter hat {cost} für den erzeugten Teil berechnet.",
    "The last reply: model, provider, tokens, cost":
        "Die letzte Antwort: Modell, Anbieter, Tokens, Kosten",
    "Spent in this conversation and today": "Ausgaben in dieser Unterhaltung und heute",
    "Your OpenRouter key: credit left and limit":
        "Ihr OpenRouter-Schlüssel: verbleibendes Guthaben und Limit",
    "The newest backup is {path}. To go back to it, quit and run:\nparley restore \"{path}\"\n"
    "(the current file is kept aside, not deleted).":
        "Die neueste Sicherung ist {path}. Um zu ihr zurückzukehren, beenden Sie Parley und "
        "führen Sie aus:\nparley restore \"{path}\"\n(die aktuelle Datei wird beiseitegelegt, "
        "nicht gelöscht).",
    "No backup was found in {folder}. Nothing was changed or deleted.":
        "In {folder} wurde keine Sicherung gefunden. Nichts wurde geändert oder gelöscht.",
    "Edit message": "Nachricht bearbeiten",
    "The edited message is sent as a new version; the original and its replies stay one "
    "arrow away.":
        "Die bearbeitete Nachricht wird als neue Version gesendet; das Original und seine "
        "Antworten bleiben einen Pfeil entfernt erhalten.",
    "Delete this message and the {n} message(s) that follow it?":
        "Diese Nachricht und die {n} folgende(n) Nachricht(en) löschen?",
    "Delete this message?": "Diese Nachricht löschen?",
    "Delete message": "Nachricht löschen",
    "This cannot be undone.": "Das lässt sich nicht rückgängig machen.",
    "Copied to the clipboard.": "In die Zwischenablage kopiert.",
    "Conversation": "Unterhaltung",
    "Jump to latest ↓": "Zur neuesten ↓",
    "Find in Conversation…": "In Unterhaltung suchen…",
    "Zoom In": "Vergrößern",
    "Zoom Out": "Verkleinern",
    "Actual Size": "Originalgröße",
    "Start a conversation": "Unterhaltung beginnen",
    "Open Settings…": "Einstellungen öffnen…",
    "Type below and press Enter to send · Shift+Enter for a new line\nEsc stops a reply · "
    "Ctrl+N new chat · Ctrl+, settings · Ctrl+F find":
        "Unten schreiben und mit Eingabe senden · Umschalt+Eingabe für eine neue Zeile\n"
        "Esc stoppt eine Antwort · Strg+N neuer Chat · Strg+, Einstellungen · Strg+F suchen",
    "No API key is set. Add your OpenRouter key in Settings (Ctrl+,) —\nit is kept in the "
    "system keychain — or set $OPENROUTER_API_KEY.":
        "Kein API-Schlüssel gesetzt. Fügen Sie Ihren OpenRouter-Schlüssel in den Einstellungen "
        "(Strg+,) hinzu —\ner wird im Schlüsselbund des Systems gespeichert — oder setzen Sie "
        "$OPENROUTER_API_KEY.",
    "Find in conversation": "In Unterhaltung suchen",
    "Previous match (Shift+Enter)": "Vorheriger Treffer (Umschalt+Eingabe)",
    "Next match (Enter)": "Nächster Treffer (Eingabe)",
    "Close (Esc)": "Schließen (Esc)",
    "No matches": "Keine Treffer",
    "{n} of {total}": "{n} von {total}",
    "{total} matches": "{total} Treffer",
    "{total} so far…": "bisher {total}…",
    "System": "System",
    "Tool": "Werkzeug",
    "Sources": "Quellen",
    "Reasoning": "Überlegungen",
    "Message text": "Nachrichtentext",
    "Message text still arriving": "Nachrichtentext, der noch eintrifft",
    "Copy": "Kopieren",
    "Copy the text": "Den Text kopieren",
    "Copy as Markdown": "Als Markdown kopieren",
    "Copy the markdown source": "Den Markdown-Quelltext kopieren",
    "Edit": "Bearbeiten",
    "Edit this message and send it again": "Diese Nachricht bearbeiten und erneut senden",
    "Regenerate": "Neu erzeugen",
    "Ask for a new reply": "Um eine neue Antwort bitten",
    "Delete this message": "Diese Nachricht löschen",
    "Previous version": "Vorherige Version",
    "Next version": "Nächste Version",
    "Reasoning is encrypted by the provider": "Die Überlegungen sind vom Anbieter verschlüsselt",
    "Thinking…": "Denkt nach…",
    "via {provider}": "über {provider}",
    "{n} tokens": "{n} Tokens",
    "  ·  ": "  ·  ",
    "The reply failed.": "Die Antwort ist fehlgeschlagen.",
    "Stopped — the text received so far is kept.":
        "Gestoppt — der bisher empfangene Text bleibt erhalten.",
    "The reply was cut off at the token limit.":
        "Die Antwort wurde am Token-Limit abgeschnitten.",
    "Message copied to the clipboard.": "Nachricht in die Zwischenablage kopiert.",
    "Markdown copied to the clipboard.": "Markdown in die Zwischenablage kopiert.",
    "Open link?": "Link öffnen?",
    "This link uses “{scheme}” as its scheme, which may start another program:\n\n{url}\n\n"
    "Open it anyway?":
        "Dieser Link verwendet das Schema „{scheme}“, das ein anderes Programm starten "
        "kann:\n\n{url}\n\nTrotzdem öffnen?",
    "Code copied to the clipboard.": "Code in die Zwischenablage kopiert.",
    "Browse Models…": "Modelle durchsuchen…",
    "Conversation Settings…": "Einstellungen der Unterhaltung…",
    "Conversation settings saved.": "Einstellungen der Unterhaltung gespeichert.",
    "OpenRouter": "OpenRouter",
    "Endpoints": "Server",
    "OpenRouter is always available. Add any OpenAI-compatible server (llama.cpp, Ollama, "
    "LM Studio, vLLM…); each has its own key in the keychain, and OpenRouter-only options "
    "are not sent to it.":
        "OpenRouter ist immer verfügbar. Fügen Sie beliebige OpenAI-kompatible Server hinzu "
        "(llama.cpp, Ollama, LM Studio, vLLM…); jeder hat seinen eigenen Schlüssel im "
        "Schlüsselbund, und OpenRouter-spezifische Optionen werden ihm nicht gesendet.",
    "Endpoint name": "Name des Servers",
    "e.g. Local llama": "z. B. Lokales Llama",
    "Endpoint base URL": "Basis-URL des Servers",
    "Endpoint API key": "API-Schlüssel des Servers",
    "optional; kept in the keychain": "optional; wird im Schlüsselbund gespeichert",
    "Add endpoint": "Server hinzufügen",
    "Remove endpoint": "Server entfernen",
    "Endpoint for new messages": "Server für neue Nachrichten",
    "Key": "Schlüssel",
    "Use for new messages": "Für neue Nachrichten verwenden",
    "{name} — built in": "{name} — eingebaut",
    "That name is taken.": "Dieser Name ist vergeben.",
    "Theme": "Erscheinungsbild",
    "Follow the system": "Wie das System",
    "Light": "Hell",
    "Dark": "Dunkel",
    "Title model": "Modell für Titel",
    "off — e.g. openai/gpt-4o-mini names chats after the first reply":
        "aus — z. B. benennt openai/gpt-4o-mini Chats nach der ersten Antwort",
    "HTTP-Referer": "HTTP-Referer",
    "App title": "App-Titel",
    "Sent to OpenRouter only, for its app rankings; leave empty to send nothing.":
        "Wird nur an OpenRouter gesendet, für dessen App-Ranglisten; leer lassen, um nichts "
        "zu senden.",
    "⚠ The reply does not match the schema: {problems}":
        "⚠ Die Antwort entspricht nicht dem Schema: {problems}",
    "✓ The reply matches the schema.": "✓ Die Antwort entspricht dem Schema.",
    "Does not match the schema: {problems}": "Entspricht nicht dem Schema: {problems}",
    "✓ Matches the schema.": "✓ Entspricht dem Schema.",
    "Export All Conversations…": "Alle Unterhaltungen exportieren…",
    "Export All Conversations": "Alle Unterhaltungen exportieren",
    "Import Conversations…": "Unterhaltungen importieren…",
    "Import Conversations": "Unterhaltungen importieren",
    "Back Up Now": "Jetzt sichern",
    "Conversation exports (*.json);;All files (*)":
        "Exporte von Unterhaltungen (*.json);;Alle Dateien (*)",
    "Import failed": "Import fehlgeschlagen",
    "Backup failed": "Sicherung fehlgeschlagen",
    "Backup written to {path}": "Sicherung geschrieben nach {path}",
    # Prompt library (app/ui/prompt_library.py, prompt_picker.py, prompts_controller.py)
    "Message…  (Enter to send, Shift+Enter for a new line, / for prompts)":
        "Nachricht…  (Eingabe sendet, Umschalt+Eingabe für eine neue Zeile, / für Prompts)",
    "Prompt Library": "Prompt-Bibliothek",
    "Open Prompt Library…": "Prompt-Bibliothek öffnen…",
    "Prompts": "Prompts",
    "Prompts: {n}": "Prompts: {n}",
    "Search prompts": "Prompts durchsuchen",
    "Search titles, text and tags": "Titel, Text und Schlagwörter durchsuchen",
    "All prompts": "Alle Prompts",
    "Message prompts": "Nachrichten-Prompts",
    "System presets": "Systemvorlagen",
    "system preset": "Systemvorlage",
    "New": "Neu",
    "New prompt": "Neuer Prompt",
    "New prompt (Ctrl+N)": "Neuer Prompt (Strg+N)",
    "Duplicate": "Duplizieren",
    "Duplicate prompt": "Prompt duplizieren",
    "Delete prompt": "Prompt löschen",
    "Delete “{title}” from the library? This cannot be undone.":
        "„{title}“ aus der Bibliothek löschen? Das lässt sich nicht rückgängig machen.",
    "this prompt": "diesen Prompt",
    "Import…": "Importieren…",
    "Import prompts": "Prompts importieren",
    "Import Prompts": "Prompts importieren",
    "Export…": "Exportieren…",
    "Export prompts": "Prompts exportieren",
    "Export Prompts": "Prompts exportieren",
    "Parley prompts (*.json);;All files (*)": "Parley-Prompts (*.json);;Alle Dateien (*)",
    "Exported {n} prompt(s) to {path}.": "{n} Prompt(s) nach {path} exportiert.",
    "Imported {added} prompt(s); {skipped} already in the library.":
        "{added} Prompt(s) importiert; {skipped} waren schon in der Bibliothek.",
    "Cannot import {path}: the file is too large.":
        "{path} kann nicht importiert werden: Die Datei ist zu groß.",
    "Cannot import {path}: it is not a JSON file.":
        "{path} kann nicht importiert werden: Das ist keine JSON-Datei.",
    "Could not read {path}: {error}.": "{path} konnte nicht gelesen werden: {error}.",
    "&Title:": "&Titel:",
    "T&ags:": "Schlag&wörter:",
    "&Prompt:": "&Prompt:",
    "e.g. Code review": "z. B. Code-Review",
    "comma-separated, e.g. code, review": "durch Kommas getrennt, z. B. code, review",
    "Prompt text": "Text des Prompts",
    "Write the prompt. {{name}} marks a value you are asked for when the prompt is used.":
        "Schreiben Sie den Prompt. {{name}} markiert einen Wert, der beim Verwenden "
        "abgefragt wird.",
    "Variables": "Variablen",
    "Variables (asked for when the prompt is used): {names}":
        "Variablen (werden beim Verwenden abgefragt): {names}",
    "No variables. Write {{name}} where a value should be asked for.":
        "Keine Variablen. Schreiben Sie {{name}} dort, wo ein Wert abgefragt werden soll.",
    "★ Favourite": "★ Favorit",
    "Use as system prompt preset": "Als Vorlage für die Systemanweisung verwenden",
    "A preset is sent as the conversation's system prompt instead of as a message.":
        "Eine Vorlage wird als Systemanweisung der Unterhaltung gesendet, nicht als "
        "Nachricht.",
    "Save": "Speichern",
    "Save prompt": "Prompt speichern",
    "Save (Ctrl+S); also saved when you switch prompts or close":
        "Speichern (Strg+S); wird auch beim Wechseln des Prompts oder Schließen gespeichert",
    "Saved “{title}”.": "„{title}“ gespeichert.",
    "Untitled prompt": "Prompt ohne Titel",
    "{title} (copy)": "{title} (Kopie)",
    "Insert into message": "In die Nachricht einfügen",
    "Insert into the message box (Ctrl+Enter)": "In das Nachrichtenfeld einfügen (Strg+Eingabe)",
    "Use as system prompt": "Als Systemanweisung verwenden",
    "Use this preset as the system prompt of the current conversation":
        "Diese Vorlage als Systemanweisung der aktuellen Unterhaltung verwenden",
    "Close": "Schließen",
    "Prompt not saved": "Prompt nicht gespeichert",
    "Your changes could not be saved. Close and lose them?":
        "Ihre Änderungen konnten nicht gespeichert werden. Trotzdem schließen und sie verwerfen?",
    "Fill in “{title}”": "„{title}“ ausfüllen",
    "This prompt has placeholders. Fill them in to insert it.":
        "Dieser Prompt hat Platzhalter. Füllen Sie sie aus, um ihn einzufügen.",
    "Preview": "Vorschau",
    "Preview of the filled prompt": "Vorschau des ausgefüllten Prompts",
    "Insert": "Einfügen",
    "Cancel": "Abbrechen",
    "Prompt Library…": "Prompt-Bibliothek…",
    "System prompt set for this conversation.":
        "Systemanweisung für diese Unterhaltung gesetzt.",
    "Running tool {name}…": "Werkzeug {name} läuft…",
    "Stopped after {n} tool steps (the limit in Settings).":
        "Nach {n} Werkzeugschritten angehalten (das Limit in den Einstellungen).",
    "Tools…": "Werkzeuge…",
    "writing…": "schreibt…",
    "stopped": "gestoppt",
    "failed": "fehlgeschlagen",
    "Tool {name}": "Werkzeug {name}",
    "always allowed": "immer erlaubt",
    "denied": "abgelehnt",
    "Starting tool servers…": "Werkzeugserver werden gestartet…",
    " (server {server})": " (Server {server})",
    "Run a tool?": "Ein Werkzeug ausführen?",
    "The model wants to run {name}{where}.": "Das Modell möchte {name}{where} ausführen.",
    "Run once": "Einmal ausführen",
    "Always allow": "Immer erlauben",
    "Deny": "Ablehnen",
    "Tools": "Werkzeuge",
    'MCP servers, in the JSON other desktop clients use: {"mcpServers": {"name": {"command": '
    '…, "args": […], "env": {…}}}} for a local program, or {"url": …} for a server on the '
    "network. Choose which tools a conversation may use with Conversation > Tools.":
        'MCP-Server im JSON-Format anderer Desktop-Clients: {"mcpServers": {"name": '
        '{"command": …, "args": […], "env": {…}}}} für ein lokales Programm oder {"url": …} '
        "für einen Server im Netz. Welche Werkzeuge eine Unterhaltung nutzen darf, wählen Sie "
        "unter Unterhaltung > Werkzeuge.",
    "MCP servers (JSON)": "MCP-Server (JSON)",
    "Tool steps per reply": "Werkzeugschritte pro Antwort",
    "Tool time limit": "Zeitlimit für Werkzeuge",
    "Time limit per call": "Zeitlimit pro Aufruf",
    "Not valid JSON: {error}": "Kein gültiges JSON: {error}",
    "{n} server(s): {names}": "{n} Server: {names}",
    "Tools for This Conversation": "Werkzeuge für diese Unterhaltung",
    "Ticked tools are offered to the model. Parley asks before each call unless you chose "
    "“Always allow” for that tool. MCP servers are set up in Settings.":
        "Angehakte Werkzeuge werden dem Modell angeboten. Parley fragt vor jedem Aufruf, "
        "außer Sie haben für das Werkzeug „Immer erlauben“ gewählt. MCP-Server richten Sie "
        "in den Einstellungen ein.",
    "Available tools": "Verfügbare Werkzeuge",
    "Description": "Beschreibung",
    "Built in": "Eingebaut",
    "Tool choice": "Werkzeugwahl",
    "Model decides (auto)": "Das Modell entscheidet (auto)",
    "Must call a tool": "Muss ein Werkzeug aufrufen",
    "Never call tools": "Nie Werkzeuge aufrufen",
    "Allow several calls at once": "Mehrere Aufrufe gleichzeitig erlauben",
    "Parallel tool calls": "Parallele Werkzeugaufrufe",
    "Server log to show": "Anzuzeigendes Serverprotokoll",
    "Server log": "Serverprotokoll",
    "The server's error output appears here.": "Die Fehlerausgabe des Servers erscheint hier.",
    "Search Conversations": "Unterhaltungen durchsuchen",
    "Search Conversations…": "Unterhaltungen durchsuchen…",
    "Search text": "Suchtext",
    'Search all conversations — words, "a phrase", prefix*':
        'Alle Unterhaltungen durchsuchen — Wörter, "eine Phrase", Präfix*',
    "Search results": "Suchergebnisse",
    "{n} results in {ms} ms · Enter opens the conversation":
        "{n} Treffer in {ms} ms · Eingabe öffnet die Unterhaltung",
    "No matches.": "Keine Treffer.",
    "You": "Sie",
    "Assistant": "Assistent",
    "Title": "Titel",
    "✓ Connected: the server lists {count} model(s).":
        "✓ Verbunden: Der Server bietet {count} Modell(e) an.",
    # model browser
    "Choose a Model": "Modell wählen",
    "Search models": "Modelle durchsuchen",
    "Search name, id or description…": "Name, ID oder Beschreibung suchen…",
    "Favourites only": "Nur Favoriten",
    "Models": "Modelle",
    "Favourite": "Favorit",
    "Unfavourite": "Kein Favorit mehr",
    "Toggle favourite": "Favorit umschalten",
    "Star or unstar the selected model (Ctrl+D)":
        "Das gewählte Modell als Favorit markieren oder die Markierung entfernen (Strg+D)",
    "Model details": "Modelldetails",
    "Variant:": "Variante:",
    ":online — web search": ":online — Websuche",
    "Online: add web search results": "Online: Ergebnisse einer Websuche hinzufügen",
    ":nitro — fastest provider": ":nitro — schnellster Anbieter",
    "Nitro: prefer the fastest provider": "Nitro: den schnellsten Anbieter bevorzugen",
    ":floor — cheapest provider": ":floor — günstigster Anbieter",
    "Floor: prefer the cheapest provider": "Floor: den günstigsten Anbieter bevorzugen",
    ":free — free variant": ":free — kostenlose Variante",
    "Free: use the free variant": "Free: die kostenlose Variante verwenden",
    "Model id that will be used": "Modell-ID, die verwendet wird",
    "Choose": "Wählen",
    "Choose model": "Modell wählen",
    "Use the free variant {id}:free (rate limited)":
        "Die kostenlose Variante {id}:free verwenden (begrenzte Anfragen)",
    "This model has no free variant.": "Dieses Modell hat keine kostenlose Variante.",
    "Will use: {id}": "Verwendet: {id}",
    "{total} models": "{total} Modelle",
    "{shown} of {total}": "{shown} von {total}",
    "No model matches the search.": "Kein Modell passt zur Suche.",
    "No model selected.": "Kein Modell ausgewählt.",
    "Context": "Kontext",
    "Max completion": "Max. Antwortlänge",
    "Input": "Eingabearten",
    "Input types": "Eingabearten",
    "Output types": "Ausgabearten",
    "Output": "Ausgabe",
    "Moderated": "Moderiert",
    "yes": "ja",
    "no": "nein",
    "reasoning": "Reasoning",
    "cache read": "Cache lesen",
    "cache write": "Cache schreiben",
    "per request": "pro Anfrage",
    "per image": "pro Bild",
    "per web search": "pro Websuche",
    "Prices": "Preise",
    "Parameters": "Parameter",
    "not listed": "nicht angegeben",
    "No description.": "Keine Beschreibung.",
    "OpenRouter picks a model for each prompt and bills that model's price.":
        "OpenRouter wählt für jede Eingabe ein Modell und berechnet dessen Preis.",
    "Auto (best model for the prompt)": "Auto (bestes Modell für die Eingabe)",
    "Name": "Name",
    "ID": "ID",
    "Prompt $/1M": "Eingabe $/1M",
    "Completion $/1M": "Ausgabe $/1M",
    "Badges": "Merkmale",
    "Favourite (click a star, or Ctrl+D)": "Favorit (Stern anklicken oder Strg+D)",
    "Context window in tokens": "Kontextfenster in Tokens",
    "USD per million prompt tokens": "USD pro Million Eingabe-Tokens",
    "USD per million completion tokens": "USD pro Million Ausgabe-Tokens",
    "What the model accepts as input": "Was das Modell als Eingabe annimmt",
    "{name}\n{id}\nSupported parameters: {params}":
        "{name}\n{id}\nUnterstützte Parameter: {params}",
    "varies": "variiert",
    "Remove from favourites": "Aus den Favoriten entfernen",
    "Add to favourites": "Zu den Favoriten hinzufügen",
    "favourite": "Favorit",
    "not a favourite": "kein Favorit",
    # conversation settings
    "Conversation settings": "Einstellungen der Unterhaltung",
    "Settings sections": "Einstellungsbereiche",
    "General": "Allgemein",
    "Sampling": "Sampling",
    "Routing": "Routing",
    "Reasoning && web": "Reasoning && Web",
    "Problems": "Probleme",
    "Request preview": "Anfragevorschau",
    "Show request preview": "Anfragevorschau anzeigen",
    "The JSON these settings add to each request (messages not shown)":
        "Das JSON, das diese Einstellungen jeder Anfrage hinzufügen (ohne Nachrichten)",
    "Use these settings for new conversations":
        "Diese Einstellungen für neue Unterhaltungen verwenden",
    "OpenRouter features: this endpoint does not receive them, so they are kept but not "
    "sent.": "OpenRouter-Funktionen: Dieser Endpunkt erhält sie nicht; sie bleiben gespeichert, "
             "werden aber nicht gesendet.",
    "System prompt": "Systemanweisung",
    "Instructions the model gets before the conversation (optional)":
        "Anweisungen, die das Modell vor der Unterhaltung erhält (optional)",
    "Fallback models": "Ersatzmodelle",
    "Model to add": "Hinzuzufügendes Modell",
    "model id, e.g. openai/gpt-4o-mini": "Modell-ID, z. B. openai/gpt-4o-mini",
    "Add": "Hinzufügen",
    "Add fallback model": "Ersatzmodell hinzufügen",
    "Remove": "Entfernen",
    "Remove fallback model": "Ersatzmodell entfernen",
    "Move up": "Nach oben",
    "Move fallback model up": "Ersatzmodell nach oben schieben",
    "Move down": "Nach unten",
    "Move fallback model down": "Ersatzmodell nach unten schieben",
    "Tried in order when the chosen model fails or is unavailable; you pay for the model "
    "that answers.": "Werden der Reihe nach versucht, wenn das gewählte Modell scheitert oder "
                     "nicht verfügbar ist; bezahlt wird das Modell, das antwortet.",
    "Sampling parameters": "Sampling-Parameter",
    "Temperature": "Temperatur",
    "Top P": "Top P",
    "Top K": "Top K",
    "Min P": "Min P",
    "Top A": "Top A",
    "Frequency penalty": "Häufigkeitsstrafe",
    "Presence penalty": "Präsenzstrafe",
    "Repetition penalty": "Wiederholungsstrafe",
    "Max tokens": "Max. Tokens",
    "Seed": "Seed",
    "Top log probabilities": "Top-Log-Wahrscheinlichkeiten",
    "Check a parameter to send it; unchecked ones use the model's default.":
        "Angehakte Parameter werden gesendet; für die anderen gilt der Standard des Modells.",
    "any whole number": "beliebige ganze Zahl",
    "≥ {low}": "≥ {low}",
    "{low} to {high}": "{low} bis {high}",
    "Log probabilities": "Log-Wahrscheinlichkeiten",
    "Return log probabilities": "Log-Wahrscheinlichkeiten zurückgeben",
    "Stop sequences": "Stoppsequenzen",
    "one per line, up to 4; \\n is a line break":
        "eine pro Zeile, höchstens 4; \\n ist ein Zeilenumbruch",
    "Logit bias": "Logit-Bias",
    'JSON: token id → bias from -100 (never) to 100 (always), e.g. {"50256": -100}':
        'JSON: Token-ID → Bias von -100 (nie) bis 100 (immer), z. B. {"50256": -100}',
    "Provider order": "Anbieterreihenfolge",
    "e.g. anthropic, openai (tried first)": "z. B. anthropic, openai (zuerst versucht)",
    "Only these providers": "Nur diese Anbieter",
    "provider slugs, comma-separated": "Anbieterkürzel, durch Kommas getrennt",
    "Ignore these providers": "Diese Anbieter ignorieren",
    "Sort providers by": "Anbieter sortieren nach",
    "Default (balanced)": "Standard (ausgewogen)",
    "Price (cheapest first)": "Preis (günstigster zuerst)",
    "Throughput (fastest first)": "Durchsatz (schnellster zuerst)",
    "Latency (quickest first token)": "Latenz (schnellstes erstes Token)",
    "Default (allowed)": "Standard (erlaubt)",
    "Allowed": "Erlaubt",
    "Not allowed": "Nicht erlaubt",
    "Allow provider fallbacks": "Ausweichen auf andere Anbieter erlauben",
    "Quantizations": "Quantisierungen",
    "e.g. fp8, bf16, fp16": "z. B. fp8, bf16, fp16",
    "Deny providers that may store or train on prompts":
        "Anbieter ausschließen, die Eingaben speichern oder zum Training nutzen dürfen",
    "Deny data collection": "Datensammlung ablehnen",
    "Zero data retention endpoints only": "Nur Endpunkte ohne Datenspeicherung",
    "Zero data retention only": "Nur ohne Datenspeicherung",
    "Only providers that support every parameter set here":
        "Nur Anbieter, die jeden hier gesetzten Parameter unterstützen",
    "Require parameters": "Parameter verlangen",
    "Prompt": "Eingabe",
    "per 1M tokens": "pro 1 Mio. Tokens",
    "Completion": "Ausgabe",
    "Request": "Anfrage",
    "Image": "Bild",
    "Maximum price (USD)": "Höchstpreis (USD)",
    "Maximum {what} price": "Höchstpreis: {what}",
    "Only": "Nur",
    "Ignore": "Ignorieren",
    "Sort": "Sortierung",
    "Fallbacks": "Ausweichen",
    "Privacy": "Datenschutz",
    "Which upstream providers OpenRouter may use for this conversation. Provider slugs look "
    "like “anthropic”, “deepinfra” or “together”.":
        "Welche Anbieter OpenRouter für diese Unterhaltung nutzen darf. Anbieterkürzel sehen "
        "aus wie „anthropic“, „deepinfra“ oder „together“.",
    "Reasoning effort": "Reasoning-Aufwand",
    "Not set": "Nicht gesetzt",
    "Token budget": "Token-Budget",
    "Set a reasoning token budget": "Ein Token-Budget für das Reasoning setzen",
    "Reasoning token budget": "Token-Budget für das Reasoning",
    "Default": "Standard",
    "On": "An",
    "Off": "Aus",
    "Reasoning enabled": "Reasoning eingeschaltet",
    "Hide the reasoning (the model still thinks)":
        "Reasoning ausblenden (das Modell denkt trotzdem nach)",
    "Exclude reasoning from the reply": "Reasoning nicht in die Antwort aufnehmen",
    "Effort": "Aufwand",
    "Enabled": "Eingeschaltet",
    "Set an effort or a token budget, not both.":
        "Entweder einen Aufwand oder ein Token-Budget setzen, nicht beides.",
    "Web search": "Websuche",
    "Search the web for each message": "Für jede Nachricht im Web suchen",
    "Max results": "Max. Treffer",
    "Set the number of search results": "Die Anzahl der Suchtreffer festlegen",
    "Number of search results": "Anzahl der Suchtreffer",
    "Search prompt": "Suchanweisung",
    "text put before the results (optional)": "Text vor den Treffern (optional)",
    "Search engine": "Suchmaschine",
    "default (native where the provider has it)":
        "Standard (native, wo der Anbieter sie hat)",
    "Engine": "Suchmaschine",
    "Same as choosing the :online variant; searches are billed per request.":
        "Wie die Variante :online; Suchen werden pro Anfrage berechnet.",
    "Structured output": "Strukturierte Ausgabe",
    "Structured output mode": "Modus der strukturierten Ausgabe",
    "Off (free text)": "Aus (freier Text)",
    "JSON object": "JSON-Objekt",
    "JSON schema": "JSON-Schema",
    "Schema name": "Schemaname",
    "Strict (the reply must match exactly)": "Strikt (die Antwort muss genau passen)",
    "Strict schema": "Striktes Schema",
    "Schema check": "Schemaprüfung",
    "Mode": "Modus",
    "Schema": "Schema",
    "Prompt caching: mark the system prompt and long messages for models that need it "
    "(Anthropic, Gemini)": "Prompt-Caching: Systemanweisung und lange Nachrichten für Modelle "
                           "markieren, die das brauchen (Anthropic, Gemini)",
    "Prompt caching": "Prompt-Caching",
    "Default (on for models with ≤ 8k context)": "Standard (an bei Modellen mit ≤ 8k Kontext)",
    "On: drop the middle of chats that are too long":
        "An: die Mitte zu langer Unterhaltungen weglassen",
    "Off: fail when the chat is too long": "Aus: Fehler, wenn die Unterhaltung zu lang ist",
    "Middle-out compression": "Middle-out-Komprimierung",
    "Middle-out": "Middle-out",
    "line {line}, column {column}: {message}": "Zeile {line}, Spalte {column}: {message}",
    "Logit bias is not valid JSON ({where}).": "Der Logit-Bias ist kein gültiges JSON ({where}).",
    'Logit bias must be a JSON object like {"50256": -100}.':
        'Der Logit-Bias muss ein JSON-Objekt sein, etwa {"50256": -100}.',
    "The schema is not valid JSON ({where}).": "Das Schema ist kein gültiges JSON ({where}).",
    "The schema must be a JSON object.": "Das Schema muss ein JSON-Objekt sein.",
    'The schema needs a "type" (usually "object").':
        'Das Schema braucht einen "type" (meist "object").',
    "Valid JSON schema": "Gültiges JSON-Schema",
    "Paste or write a JSON schema.": "Ein JSON-Schema einfügen oder schreiben.",
    "not supported by {model}": "von {model} nicht unterstützt",
    "{model} does not list this parameter; OpenRouter drops it unless “Require parameters” "
    "is on (Routing).": "{model} nennt diesen Parameter nicht; OpenRouter lässt ihn weg, außer "
                        "„Parameter verlangen“ ist an (Routing).",
    "Not supported by {model} and probably ignored: {names}":
        "Von {model} nicht unterstützt und vermutlich ignoriert: {names}",
    # background file work, keychain and error reports
    "Exporting all conversations…": "Alle Unterhaltungen werden exportiert…",
    "Importing {name}…": "{name} wird importiert…",
    "Backing up the history…": "Der Verlauf wird gesichert…",
    "Import cancelled; nothing was imported.":
        "Import abgebrochen; es wurde nichts importiert.",
    "Export cancelled; no file was written.":
        "Export abgebrochen; es wurde keine Datei geschrieben.",
    "Wait for the current file operation to finish.":
        "Warten Sie, bis der laufende Dateivorgang fertig ist.",
    "Key not removed": "Schlüssel nicht entfernt",
    "Something went wrong": "Etwas ist schiefgelaufen",
    "Parley hit an unexpected error and carried on: {error}\n\n"
    "If something looks wrong, save your work and restart Parley. To report it, use Copy "
    "details (no key is included).":
        "Parley ist auf einen unerwarteten Fehler gestoßen und läuft weiter: {error}\n\n"
        "Wenn etwas nicht stimmt, sichern Sie Ihre Arbeit und starten Sie Parley neu. Um den "
        "Fehler zu melden, nutzen Sie „Details kopieren“ (ohne Schlüssel).",
    "Copy details": "Details kopieren",
    "Copied": "Kopiert",
    # attachments
    "Attach files": "Dateien anhängen",
    "Attach files (images, PDFs, text, audio)": "Dateien anhängen (Bilder, PDFs, Text, Audio)",
    "Attached files": "Angehängte Dateien",
    "Cannot attach {name} here.": "{name} kann hier nicht angehängt werden.",
    "Copy image": "Bild kopieren",
    "Default (text extraction, free)": "Standard (Textauszug, kostenlos)",
    "Fit": "Einpassen",
    "100 %": "100 %",
    "Generated image": "Erzeugtes Bild",
    "Image at {host} — click to load it": "Bild auf {host} — zum Laden klicken",
    "Loading…": "Wird geladen…",
    "Native (the model reads the PDF itself)": "Nativ (das Modell liest das PDF selbst)",
    "None of the attached files can be sent; remove them or attach others.":
        "Keine der angehängten Dateien kann gesendet werden; entfernen Sie sie oder hängen "
        "Sie andere an.",
    "OCR for scans (mistral-ocr, billed per page)":
        "Texterkennung für Scans (mistral-ocr, pro Seite berechnet)",
    "Open large": "Groß öffnen",
    "Open {name}": "{name} öffnen",
    "PDF reading": "PDF-Auswertung",
    "Files and images": "Dateien und Bilder",
    "Automatic (on for models that make images)":
        "Automatisch (an bei Modellen, die Bilder erzeugen)",
    "On: ask for images": "An: Bilder anfordern",
    "Off: text only": "Aus: nur Text",
    "Image output": "Bildausgabe",
    "Image aspect ratio": "Seitenverhältnis der Bilder",
    "Model default": "Vorgabe des Modells",
    "Aspect ratio": "Seitenverhältnis",
    "Remove {name}": "{name} entfernen",
    "Save as…": "Speichern unter…",
    "Save image": "Bild speichern",
    "Still reading the attached files; send again in a moment.":
        "Die angehängten Dateien werden noch gelesen; senden Sie gleich noch einmal.",
    "Text extraction (pdf-text, free)": "Textauszug (pdf-text, kostenlos)",
    "This image cannot be shown.": "Dieses Bild kann nicht angezeigt werden.",
    "Zoom in": "Vergrößern",
    "Zoom out": "Verkleinern",
    "not attached": "nicht angehängt",
    "{name}\nreading…": "{name}\nwird gelesen…",
    "{n} page(s)": "{n} Seite(n)",
    "Compare Models…": "Modelle vergleichen…",
    "Compare Models": "Modelle vergleichen",
    "Compare": "Vergleichen",
    "Stop All": "Alle stoppen",
    "queued": "wartet",
    "streaming…": "empfängt…",
    "Reply of {model}": "Antwort von {model}",
    "Continue with this one": "Mit dieser weitermachen",
    "Model {n}": "Modell {n}",
    "Compare with…": "Vergleichen mit…",
    "Ask other models the same prompt, side by side": (
        "Dieselbe Eingabe anderen Modellen stellen, nebeneinander"
    ),
    "Compare with Other Models": "Mit anderen Modellen vergleichen",
    "The prompt every model answers": "Die Eingabe, auf die jedes Modell antwortet",
    "Model {n} (optional)": "Modell {n} (optional)",
    (
        "Pick two to four models, write a prompt and press Compare. The replies stream "
        "side by side, and each is kept as a version of the answer in the conversation."
    ): (
        "Wählen Sie zwei bis vier Modelle, schreiben Sie eine Eingabe und drücken Sie "
        "Vergleichen. Die Antworten erscheinen nebeneinander, und jede bleibt als Version "
        "der Antwort im Gespräch erhalten."
    ),
    "Browse models for model {n}": "Modelle für Modell {n} durchsuchen",
    "Pick model {n} in the model browser (starred models first)":
        "Modell {n} im Modellkatalog wählen (Favoriten zuerst)",
    "Choose Model {n}": "Modell {n} wählen",
    "Model {n}: type an id or pick from the list (starred models first)":
        "Modell {n}: eine ID eingeben oder aus der Liste wählen (Favoriten zuerst)",
    "Send the prompt to every model picked at once":
        "Die Eingabe gleichzeitig an jedes gewählte Modell senden",
    "Stop every reply still streaming (Esc)": "Jede noch laufende Antwort stoppen (Esc)",
    "Comparison summary": "Zusammenfassung des Vergleichs",
    "The reply of {model} as it streams": "Die Antwort von {model}, während sie eintrifft",
    "Figures of {model}": "Kennzahlen von {model}",
    "Stop {model}": "{model} stoppen",
    "Stop this reply only; what arrived is kept":
        "Nur diese Antwort stoppen; was angekommen ist, bleibt erhalten",
    "Continue with {model}": "Mit {model} weitermachen",
    "Show this reply in the conversation; follow-ups continue from it":
        "Diese Antwort im Gespräch zeigen; Folgefragen setzen hier an",
    # Tray icon and quick ask
    "Parley is already running: it shows Quick ask.":
        "Parley läuft bereits: es zeigt die Schnellfrage.",
    "Parley is running but did not answer. Close it (or end its process) and try again.":
        "Parley läuft, hat aber nicht geantwortet. Schließen Sie es (oder beenden Sie den "
        "Prozess) und versuchen Sie es erneut.",
    "Parley — Quick ask": "Parley — Schnellfrage",
    "Quick ask": "Schnellfrage",
    "The model that answers (the default model in Settings)":
        "Das Modell, das antwortet (das Standardmodell aus den Einstellungen)",
    "Ask a new question in a new chat (Ctrl+N)":
        "Eine neue Frage in einem neuen Chat stellen (Strg+N)",
    "New question": "Neue Frage",
    "Stop the answer; what arrived is kept (Ctrl+.)":
        "Die Antwort stoppen; was schon da ist, bleibt erhalten (Strg+.)",
    "Stop answer": "Antwort stoppen",
    "Open in Parley": "In Parley öffnen",
    "Open this conversation in the main window": "Diese Unterhaltung im Hauptfenster öffnen",
    "Hide (Esc); an answer still arriving is kept":
        "Ausblenden (Esc); eine noch eintreffende Antwort bleibt erhalten",
    "Hide quick ask": "Schnellfrage ausblenden",
    "Quick question": "Schnelle Frage",
    "Enter sends, Shift+Enter adds a line, Esc hides":
        "Eingabe sendet, Umschalt+Eingabe fügt eine Zeile hinzu, Esc blendet aus",
    "Ask anything…  (Enter to send, Esc to hide)":
        "Fragen Sie etwas…  (Eingabe sendet, Esc blendet aus)",
    "Your question": "Ihre Frage",
    "Answer": "Antwort",
    "Quick ask status": "Status der Schnellfrage",
    "Show icon in the system tray": "Symbol im Infobereich anzeigen",
    "An icon with New chat, Quick ask, Show Parley and Quit":
        "Ein Symbol mit Neuer Chat, Schnellfrage, Parley anzeigen und Beenden",
    "Close to tray": "Beim Schließen in den Infobereich",
    "Closing the window hides it while the tray icon is there; Quit ends Parley":
        "Schließen blendet das Fenster aus, solange das Symbol im Infobereich ist; "
        "Beenden beendet Parley",
    "Tray": "Infobereich",
    "This desktop has no system tray, so Parley cannot show an icon there.":
        "Diese Arbeitsumgebung hat keinen Infobereich, daher kann Parley dort kein Symbol "
        "anzeigen.",
    "Parley tray menu": "Parley-Menü im Infobereich",
    "New Chat": "Neuer Chat",
    "Show Parley with a new, empty chat": "Parley mit einem neuen, leeren Chat anzeigen",
    "Quick Ask…": "Schnellfrage…",
    "Ask a quick question in a small window":
        "Eine schnelle Frage in einem kleinen Fenster stellen",
    "Show Parley": "Parley anzeigen",
    "Bring the Parley window back": "Das Parley-Fenster wieder anzeigen",
    "End Parley (a reply in progress is kept as stopped)":
        "Parley beenden (eine laufende Antwort bleibt als gestoppt erhalten)",
    # ---- the sidebar and folders
    "Today": "Heute",
    "Yesterday": "Gestern",
    "Previous 7 days": "Letzte 7 Tage",
    "This month": "Diesen Monat",
    "Pinned": "Angeheftet",
    "pinned": "angeheftet",
    "Search chats": "Chats durchsuchen",
    "Filter conversations by title": "Unterhaltungen nach Titel filtern",
    "Type to filter the list by title; Enter searches every message, Down moves to the "
    "list, Esc clears":
        "Tippen filtert die Liste nach Titel; Eingabe durchsucht alle Nachrichten, Pfeil "
        "nach unten wechselt in die Liste, Esc leert das Feld",
    "New chat (Ctrl+N); made in the selected folder, with its settings":
        "Neuer Chat (Strg+N); im ausgewählten Ordner, mit dessen Einstellungen",
    "New folder": "Neuer Ordner",
    "Show all conversations, the archive, or a tag":
        "Alle Unterhaltungen, das Archiv oder ein Schlagwort zeigen",
    "Conversations matching the filter": "Unterhaltungen, die zum Filter passen",
    "Move to Folder…": "In Ordner verschieben…",
    "New Folder…": "Neuer Ordner…",
    "New Sub-folder…": "Neuer Unterordner…",
    "Folder Settings…": "Ordnereinstellungen…",
    "New Chat in Folder": "Neuer Chat im Ordner",
    "Delete the folder “{name}”?": "Den Ordner „{name}“ löschen?",
    "Its {count} conversations move out of it; none of them is deleted.":
        "Seine {count} Unterhaltungen werden herausgenommen; keine davon wird gelöscht.",
    "Delete folder": "Ordner löschen",
    "No folder": "Kein Ordner",
    "Move to Folder": "In Ordner verschieben",
    "Move “{title}” to:": "„{title}“ verschieben nach:",
    "Name of the new folder:": "Name des neuen Ordners:",
    "Folder “{name}”: {count} conversations": "Ordner „{name}“: {count} Unterhaltungen",
    "New chats here start with the folder’s settings.":
        "Neue Chats hier beginnen mit den Einstellungen des Ordners.",
    "Folder settings": "Ordnereinstellungen",
    "Folder name": "Ordnername",
    "The folder's name in the sidebar": "Der Name des Ordners in der Seitenleiste",
    "Model for new chats": "Modell für neue Chats",
    "The model new chats in this folder use; empty: the default model":
        "Das Modell neuer Chats in diesem Ordner; leer: das Standardmodell",
    "No system prompt": "Kein Systemprompt",
    "System prompt for new chats": "Systemprompt für neue Chats",
    "The system prompt new chats in this folder get":
        "Der Systemprompt, den neue Chats in diesem Ordner erhalten",
    "Request Options…": "Anfrageoptionen…",
    "Request options for new chats": "Anfrageoptionen für neue Chats",
    "Temperature, reasoning, web search and more for new chats in this folder":
        "Temperatur, Reasoning, Websuche und mehr für neue Chats in diesem Ordner",
    "Copy from the Open Chat": "Vom offenen Chat übernehmen",
    "Copy settings from the open chat": "Einstellungen vom offenen Chat übernehmen",
    "Use the open chat's model, system prompt, options and tools for new chats here":
        "Modell, Systemprompt, Optionen und Werkzeuge des offenen Chats für neue Chats hier "
        "verwenden",
    "Name:": "Name:",
    "Model:": "Modell:",
    "System prompt:": "Systemprompt:",
    "New chats made in this folder start with these settings.":
        "Neue Chats in diesem Ordner beginnen mit diesen Einstellungen.",
    "Tools: {names}.": "Werkzeuge: {names}.",
    "Options: {names}.": "Optionen: {names}.",
    "No other options: as in Settings.": "Keine weiteren Optionen: wie in den Einstellungen.",
    "Folder deleted; {count} conversations moved out of it.":
        "Ordner gelöscht; {count} Unterhaltungen wurden herausgenommen.",
    "Sync": "Synchronisation",
    "Sync status": "Synchronisationsstatus",
    "History sync through your sync folder":
        "Verlauf wird über Ihren Synchronisationsordner abgeglichen",
    "History sync through {folder}": "Verlauf wird über {folder} abgeglichen",
    "Syncing…": "Synchronisiere…",
    "⚠ Sync failed": "⚠ Synchronisation fehlgeschlagen",
    "Sync failed: {error}": "Synchronisation fehlgeschlagen: {error}",
    "Synced {ago} · {n} devices": "Synchronisiert {ago} · {n} Geräte",
    "Sync folder": "Synchronisationsordner",
    (
        "A folder your sync tool (Syncthing, Dropbox, Nextcloud, OneDrive, iCloud Drive) "
        "keeps in step between your computers. Empty: sync is off."
    ): (
        "Ein Ordner, den Ihr Synchronisationsprogramm (Syncthing, Dropbox, Nextcloud, "
        "OneDrive, iCloud Drive) zwischen Ihren Computern abgleicht. Leer: keine "
        "Synchronisation."
    ),
    "e.g. ~/Dropbox/Parley  (empty: off)": "z. B. ~/Dropbox/Parley  (leer: aus)",
    "Choose…": "Auswählen…",
    "Choose the sync folder": "Synchronisationsordner auswählen",
    "Pick the sync folder": "Den Synchronisationsordner auswählen",
    "Sync passphrase": "Synchronisations-Passphrase",
    (
        "With a passphrase everything Parley writes in the folder is encrypted. Use the "
        "same one on every computer; it is kept in the system keychain."
    ): (
        "Mit einer Passphrase verschlüsselt Parley alles, was es in den Ordner schreibt. "
        "Verwenden Sie auf jedem Computer dieselbe; sie wird im Schlüsselbund des Systems "
        "gespeichert."
    ),
    "$PARLEY_SYNC_PASSPHRASE is set and is used":
        "$PARLEY_SYNC_PASSPHRASE ist gesetzt und wird verwendet",
    "optional; leave empty to keep the stored one":
        "optional; leer lassen, um die gespeicherte zu behalten",
    "Sync now": "Jetzt synchronisieren",
    "Send this computer's changes and merge the others'":
        "Die Änderungen dieses Computers senden und die der anderen übernehmen",
    "Last sync": "Letzte Synchronisation",
    "Folder:": "Ordner:",
    "Passphrase:": "Passphrase:",
    "Last sync:": "Letzte Synchronisation:",
    "Press OK to save the new folder; it syncs then.":
        "Klicken Sie auf OK, um den neuen Ordner zu speichern; dann wird synchronisiert.",
    "Choose a folder first.": "Wählen Sie zuerst einen Ordner.",
    "Sync is off.": "Die Synchronisation ist aus.",
    "Not synced yet in this session.": "In dieser Sitzung noch nicht synchronisiert.",
    "{ago}: sent {sent}, received {received} change(s).":
        "{ago}: {sent} Änderung(en) gesendet, {received} empfangen.",
    "this computer": "dieser Computer",
    "never": "nie",
    "• {who} ({id}): last seen {seen}": "• {who} ({id}): zuletzt gesehen {seen}",
}

#: plural forms (numerus="yes"): German has two
GERMAN_PLURAL: dict[str, tuple[str, str]] = {
    "Replies interrupted when Parley last closed: %n (their text is kept).": (
        "Beim letzten Beenden unterbrochene Antwort: %n (der Text bleibt erhalten).",
        "Beim letzten Beenden unterbrochene Antworten: %n (ihr Text bleibt erhalten).",
    ),
}

#: not words: placeholders and example values stay as they are
UNTRANSLATED = {"sk-or-v1-…", "http://127.0.0.1:8080/v1"}


def main() -> int:
    tree = ET.parse(TS)
    missing: list[str] = []
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            continue
        if message.get("numerus") == "yes" and source in GERMAN_PLURAL:
            for child in list(translation):
                translation.remove(child)
            for form in GERMAN_PLURAL[source]:
                ET.SubElement(translation, "numerusform").text = form
            translation.attrib.pop("type", None)
            continue
        german = GERMAN.get(source)
        if german is None and source in UNTRANSLATED:
            german = source
        if german is None:
            if translation.get("type") == "unfinished":
                missing.append(source)
            continue
        translation.text = german
        translation.attrib.pop("type", None)
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    for source in missing:
        print(f"untranslated: {source!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
