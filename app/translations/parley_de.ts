<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de_DE">
<context>
    <name>ChatController</name>
    <message>
        <source>That conversation no longer exists.</source>
        <extracomment>how often a streaming reply is pushed to the view (~60 frames a second) (Conversation | None, list[Message]) — None: an empty new chat a stored message to show at the end of the open conversation (message id, text so far, reasoning so far) — coalesced to the frame rate the stored final state of a reply (complete, stopped or error) (message, hint, kind) kind: auth | credits | error a one-line summary of the last reply: model, tokens, cost</extracomment>
        <translation>Diese Unterhaltung gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>Could not load the model list: {error}</source>
        <translation>Die Modellliste konnte nicht geladen werden: {error}</translation>
    </message>
    <message>
        <source>Waiting for {model}…</source>
        <translation>Warte auf {model}…</translation>
    </message>
    <message>
        <source>Stopped. The partial reply was kept.</source>
        <translation>Gestoppt. Die bisherige Antwort wurde behalten.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Message…  (Enter to send, Shift+Enter for a new line)</source>
        <translation>Nachricht…  (Eingabe sendet, Umschalt+Eingabe für eine neue Zeile)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>vor {n} Min.</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>vor {n} Std.</translation>
    </message>
    <message>
        <source>{n} d ago</source>
        <translation>vor {n} Tagen</translation>
    </message>
    <message>
        <source>＋  New chat</source>
        <translation>＋  Neuer Chat</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>New chat (Ctrl+N)</source>
        <translation>Neuer Chat (Strg+N)</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Delete conversation?</source>
        <translation>Unterhaltung löschen?</translation>
    </message>
    <message>
        <source>Delete “{title}” and its {count} messages? This cannot be undone.</source>
        <translation>„{title}“ und die {count} Nachrichten löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>{title}
{count} messages · {when}</source>
        <translation>{title}
{count} Nachrichten · {when}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Main</source>
        <extracomment>emitted from closeEvent; the owner saves what is in flight, then the app quits</extracomment>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source> Model </source>
        <translation> Modell </translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Close Window</source>
        <translation>Fenster schließen</translation>
    </message>
    <message>
        <source>Export Conversation…</source>
        <translation>Unterhaltung exportieren…</translation>
    </message>
    <message>
        <source>Stop Reply</source>
        <translation>Antwort stoppen</translation>
    </message>
    <message>
        <source>Copy Last Reply</source>
        <translation>Letzte Antwort kopieren</translation>
    </message>
    <message>
        <source>Search Conversations…</source>
        <translation>Unterhaltungen durchsuchen…</translation>
    </message>
    <message>
        <source>Focus Message Box</source>
        <translation>Zum Nachrichtenfeld</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>About Parley</source>
        <translation>Über Parley</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Conversation</source>
        <translation>&amp;Unterhaltung</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>A fast native chat client for OpenRouter and OpenAI-compatible endpoints.</source>
        <translation>Ein schneller nativer Chat-Client für OpenRouter und OpenAI-kompatible Server.</translation>
    </message>
    <message>
        <source>Your history stays in a SQLite file in your data folder; your API key stays in the system keychain.</source>
        <translation>Ihr Verlauf bleibt in einer SQLite-Datei in Ihrem Datenordner, Ihr API-Schlüssel im Schlüsselbund des Systems.</translation>
    </message>
    <message>
        <source>API key not accepted</source>
        <translation>API-Schlüssel nicht akzeptiert</translation>
    </message>
    <message>
        <source>Open Settings</source>
        <translation>Einstellungen öffnen</translation>
    </message>
</context>
<context>
    <name>ModelChooser</name>
    <message>
        <source>free</source>
        <translation>kostenlos</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Model: pick from the list or type any model id</source>
        <translation>Modell: aus der Liste wählen oder eine Modell-ID eingeben</translation>
    </message>
    <message>
        <source>{name}
context {ctx} · in {inp} / out {out} per 1M tokens</source>
        <translation>{name}
Kontext {ctx} · Eingabe {inp} / Ausgabe {out} pro 1 Mio. Tokens</translation>
    </message>
</context>
<context>
    <name>Parley</name>
    <message>
        <source>Settings not saved</source>
        <translation>Einstellungen nicht gespeichert</translation>
    </message>
    <message>
        <source>Could not write the settings file: {error}</source>
        <translation>Die Einstellungsdatei konnte nicht geschrieben werden: {error}</translation>
    </message>
    <message>
        <source>Key not stored</source>
        <translation>Schlüssel nicht gespeichert</translation>
    </message>
    <message>
        <source>There is no reply to copy yet.</source>
        <translation>Es gibt noch keine Antwort zum Kopieren.</translation>
    </message>
    <message>
        <source>Last reply copied to the clipboard.</source>
        <translation>Letzte Antwort in die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Open a conversation to export it.</source>
        <translation>Öffnen Sie eine Unterhaltung, um sie zu exportieren.</translation>
    </message>
    <message>
        <source>Export Conversation</source>
        <translation>Unterhaltung exportieren</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Could not write {path}: {error}.</source>
        <translation>{path} konnte nicht geschrieben werden: {error}.</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Exportiert nach {path}</translation>
    </message>
    <message>
        <source>Stored in the system keychain.</source>
        <translation>Im Schlüsselbund des Systems gespeichert.</translation>
    </message>
    <message>
        <source>Not stored ({error}) It is used until Parley closes.</source>
        <translation>Nicht gespeichert ({error}) Er wird verwendet, bis Parley beendet wird.</translation>
    </message>
    <message>
        <source>Replies interrupted when Parley last closed: %n (their text is kept).</source>
        <translation>Beim letzten Beenden unterbrochene Antworten: %n (ihr Text bleibt erhalten).</translation>
    </message>
    <message>
        <source>Settings not loaded</source>
        <translation>Einstellungen nicht geladen</translation>
    </message>
    <message>
        <source>{error}

Parley starts with default settings.</source>
        <translation>{error}

Parley startet mit den Standardeinstellungen.</translation>
    </message>
    <message>
        <source>History could not be opened</source>
        <translation>Der Verlauf konnte nicht geöffnet werden</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <source>Search Conversations</source>
        <extracomment>the markers app.core.search puts around matches in snippets wait this long after the last key press before searching (conversation id, message id or -1 for a title match)</extracomment>
        <translation>Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <source>Search text</source>
        <translation>Suchtext</translation>
    </message>
    <message>
        <source>Search all conversations — words, "a phrase", prefix*</source>
        <translation>Alle Unterhaltungen durchsuchen — Wörter, "eine Phrase", Präfix*</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>Suchergebnisse</translation>
    </message>
    <message>
        <source>{n} results in {ms} ms · Enter opens the conversation</source>
        <translation>{n} Treffer in {ms} ms · Eingabe öffnet die Unterhaltung</translation>
    </message>
    <message>
        <source>No matches.</source>
        <translation>Keine Treffer.</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Parley Settings</source>
        <translation>Parley-Einstellungen</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>stored: {key}</source>
        <translation>gespeichert: {key}</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Show key</source>
        <translation>Schlüssel anzeigen</translation>
    </message>
    <message>
        <source>Test key</source>
        <translation>Schlüssel prüfen</translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation>Schlüssel entfernen</translation>
    </message>
    <message>
        <source>Remove stored key</source>
        <translation>Gespeicherten Schlüssel entfernen</translation>
    </message>
    <message>
        <source>Keychain: {name}.</source>
        <translation>Schlüsselbund: {name}.</translation>
    </message>
    <message>
        <source>${var} is set, so it is used; it is never saved anywhere. A key entered here is stored for when the variable is not set.</source>
        <translation>${var} ist gesetzt und wird verwendet; er wird nirgends gespeichert. Ein hier eingegebener Schlüssel gilt, wenn die Variable nicht gesetzt ist.</translation>
    </message>
    <message>
        <source>A key is stored ({key}). Leave the field empty to keep it.</source>
        <translation>Ein Schlüssel ist gespeichert ({key}). Lassen Sie das Feld leer, um ihn zu behalten.</translation>
    </message>
    <message>
        <source>no secure keychain: the key cannot be stored</source>
        <translation>kein sicherer Schlüsselbund: der Schlüssel kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Standardmodell</translation>
    </message>
    <message>
        <source>e.g. openai/gpt-4o-mini or openrouter/auto</source>
        <translation>z. B. openai/gpt-4o-mini oder openrouter/auto</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Basis-URL</translation>
    </message>
    <message>
        <source>${var} is set and overrides this value.</source>
        <translation>${var} ist gesetzt und ersetzt diesen Wert.</translation>
    </message>
    <message>
        <source>OpenRouter, or any OpenAI-compatible server (llama.cpp, Ollama…).</source>
        <translation>OpenRouter oder ein beliebiger OpenAI-kompatibler Server (llama.cpp, Ollama…).</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>Enter a key to test.</source>
        <translation>Geben Sie einen Schlüssel zum Prüfen ein.</translation>
    </message>
    <message>
        <source>Testing {key}…</source>
        <translation>Prüfe {key}…</translation>
    </message>
    <message>
        <source>sk-or-v1-…</source>
        <translation>sk-or-v1-…</translation>
    </message>
    <message>
        <source>The stored key was removed from the keychain.</source>
        <translation>Der gespeicherte Schlüssel wurde aus dem Schlüsselbund entfernt.</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Send the message</source>
        <extracomment>keys handled inside widgets rather than by actions (translated when shown)</extracomment>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>New line in the message</source>
        <translation>Neue Zeile in der Nachricht</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Kürzel</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <source>Welcome to Parley</source>
        <extracomment>(key) -&gt; a sentence describing the key, or raises ParleyError (base_url) -&gt; number of models the server lists, or raises ParleyError the user connected: a key was stored, or a local server was chosen</extracomment>
        <translation>Willkommen bei Parley</translation>
    </message>
    <message>
        <source>Chat with hundreds of models through OpenRouter, or with a model running on your own machine. Your conversations stay in a local database; your key stays in the system keychain.</source>
        <translation>Chatten Sie über OpenRouter mit Hunderten von Modellen oder mit einem Modell auf Ihrem eigenen Rechner. Ihre Unterhaltungen bleiben in einer lokalen Datenbank, Ihr Schlüssel im Schlüsselbund des Systems.</translation>
    </message>
    <message>
        <source>OpenRouter API key</source>
        <translation>OpenRouter-API-Schlüssel</translation>
    </message>
    <message>
        <source>Paste your OpenRouter key (sk-or-v1-…)</source>
        <translation>OpenRouter-Schlüssel einfügen (sk-or-v1-…)</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Connect with this key</source>
        <translation>Mit diesem Schlüssel verbinden</translation>
    </message>
    <message>
        <source>Create a key on openrouter.ai…</source>
        <translation>Schlüssel auf openrouter.ai erstellen…</translation>
    </message>
    <message>
        <source>Create a key on openrouter.ai</source>
        <translation>Schlüssel auf openrouter.ai erstellen</translation>
    </message>
    <message>
        <source>Or use a local OpenAI-compatible server (llama.cpp, Ollama, LM Studio, vLLM):</source>
        <translation>Oder einen lokalen OpenAI-kompatiblen Server verwenden (llama.cpp, Ollama, LM Studio, vLLM):</translation>
    </message>
    <message>
        <source>Local server URL</source>
        <translation>URL des lokalen Servers</translation>
    </message>
    <message>
        <source>http://127.0.0.1:8080/v1</source>
        <translation>http://127.0.0.1:8080/v1</translation>
    </message>
    <message>
        <source>Use this server</source>
        <translation>Diesen Server verwenden</translation>
    </message>
    <message>
        <source>Use this local server</source>
        <translation>Diesen lokalen Server verwenden</translation>
    </message>
    <message>
        <source>Paste a key first.</source>
        <translation>Fügen Sie zuerst einen Schlüssel ein.</translation>
    </message>
    <message>
        <source>Checking the key with OpenRouter…</source>
        <translation>Prüfe den Schlüssel bei OpenRouter…</translation>
    </message>
    <message>
        <source>The address must start with http:// or https://.</source>
        <translation>Die Adresse muss mit http:// oder https:// beginnen.</translation>
    </message>
    <message>
        <source>Asking {url} for its models…</source>
        <translation>Frage {url} nach seinen Modellen…</translation>
    </message>
    <message>
        <source>✓ Connected: the server lists {count} model(s).</source>
        <translation>✓ Verbunden: Der Server bietet {count} Modell(e) an.</translation>
    </message>
</context>
</TS>