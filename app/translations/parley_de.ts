<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de_DE">
<context>
    <name>ChatController</name>
    <message>
        <source>That conversation no longer exists.</source>
        <extracomment>how long shutdown waits for cancelled tasks to finish their clean-up how often a streaming reply is pushed to the view (~30 frames a second: smooth for text, and half the repaints of 60 fps, which dominate the cost of a long reply) what the chat view showed of a comparison's conversation when it started: the thread a new prompt is added to, the thread holding the compared reply, or another conversation the list as a whole changed (filters, tags, start-up): reload it the markdown renderer and common code lexers are loaded: code can be highlighted one conversation changed (new message, title, pin...): update that row only one conversation left the list (deleted or archived) (id, title) a conversation went to the trash; the window offers Undo (Conversation | None, list[Message]) — None: an empty new chat a stored message to show at the end of the open conversation {message id: (index, count)} for messages that have other versions (message id, text so far, reasoning so far) — coalesced to the frame rate (message id, every image of the reply so far, as in extra["images"]) — emitted on the frame tick when new images arrived the stored final state of a reply (complete, stopped or error) (message, hint, kind) kind: auth | credits | error a one-line summary of the last reply: model, tokens, cost (ToolCall, asyncio.Future[str]): ask the user; set "once", "always" or "deny" remaining credit and limit from GET /key, for the status bar ("" when unknown) spend of this conversation and of today, for the status bar a sentence when a budget's 80% / 100% threshold is crossed, "" when none is a comparison started: the Comparison (its columns: model, reply...) (column index, text so far) while a comparison streams, at most once a frame (column index, Column) when one column ended (complete, error or stopped) every column of the comparison ended the folder the next new chat is filed in (set by `new_conversation`) background work (model list, titles, credit, warm-up...): cancelled at exit clean-up (closing clients and MCP servers): awaited to the end at exit, never cancelled, or a child process could be left behind (reply id, how many of its images the window was given) asked (with the budget sentence) before sending over budget when Settings say so; the composition root sets a dialog, True sends</extracomment>
        <translation>Diese Unterhaltung gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>{n} older messages are left out of requests; they stay in the chat.</source>
        <translation>{n} ältere Nachrichten werden nicht mehr mitgesendet; sie bleiben im Chat.</translation>
    </message>
    <message>
        <source>Middle-out is on: OpenRouter drops messages from the middle when the chat does not fit the model.</source>
        <translation>Middle-out ist an: OpenRouter lässt Nachrichten aus der Mitte weg, wenn der Chat nicht in das Modell passt.</translation>
    </message>
    <message>
        <source>Writing a summary of this chat…</source>
        <translation>Zusammenfassung dieses Chats wird geschrieben…</translation>
    </message>
    <message>
        <source>The model returned no summary; nothing changed.</source>
        <translation>Das Modell hat keine Zusammenfassung geliefert; nichts wurde geändert.</translation>
    </message>
    <message>
        <source>New chat: it starts from a summary of “{title}” (in its system prompt).</source>
        <translation>Neuer Chat: Er beginnt mit einer Zusammenfassung von „{title}“ (im Systemprompt).</translation>
    </message>
    <message>
        <source>Archived. Choose “Archived” above the list to see it.</source>
        <translation>Archiviert. Wählen Sie „Archiviert“ über der Liste, um sie zu sehen.</translation>
    </message>
    <message>
        <source>Moved back from the archive.</source>
        <translation>Aus dem Archiv zurückgeholt.</translation>
    </message>
    <message>
        <source>Could not load the model list: {error}</source>
        <extracomment>the one model-list load in flight; a new refresh cancels it bumped by every refresh, so a load that finishes late knows it is stale</extracomment>
        <translation>Die Modellliste konnte nicht geladen werden: {error}</translation>
    </message>
    <message>
        <source>Offline: showing the saved model list ({error})</source>
        <translation>Offline: die gespeicherte Modellliste wird angezeigt ({error})</translation>
    </message>
    <message>
        <source>This chat now uses the endpoint {name}.</source>
        <translation>Dieser Chat verwendet jetzt den Endpunkt {name}.</translation>
    </message>
    <message>
        <source>Could not save the defaults: {error}</source>
        <translation>Die Standardwerte konnten nicht gespeichert werden: {error}</translation>
    </message>
    <message>
        <source>Waiting for {model}…</source>
        <translation>Warte auf {model}…</translation>
    </message>
    <message>
        <source>(Esc cancels)</source>
        <translation>(Esc bricht ab)</translation>
    </message>
    <message>
        <source>Stopped. The partial reply was kept.</source>
        <translation>Gestoppt. Die bisherige Antwort wurde behalten.</translation>
    </message>
    <message>
        <source>⚠ The reply does not match the schema: {problems}</source>
        <translation>⚠ Die Antwort entspricht nicht dem Schema: {problems}</translation>
    </message>
    <message>
        <source>✓ The reply matches the schema.</source>
        <translation>✓ Die Antwort entspricht dem Schema.</translation>
    </message>
    <message>
        <source>Running tool {name}…</source>
        <translation>Werkzeug {name} läuft…</translation>
    </message>
    <message>
        <source>Stopped after {n} tool steps (the limit in Settings).</source>
        <translation>Nach {n} Werkzeugschritten angehalten (das Limit in den Einstellungen).</translation>
    </message>
    <message>
        <source>This chat {cost}</source>
        <translation>Dieser Chat {cost}</translation>
    </message>
    <message>
        <source>today {cost}</source>
        <translation>heute {cost}</translation>
    </message>
    <message>
        <source>Stopped, but {provider} bills the full reply even after a stop (charged {cost}).</source>
        <translation>Gestoppt, aber {provider} berechnet auch nach einem Stopp die ganze Antwort (berechnet: {cost}).</translation>
    </message>
    <message>
        <source>Stopped. The provider charged {cost} for the part generated.</source>
        <translation>Gestoppt. Der Anbieter hat {cost} für den erzeugten Teil berechnet.</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Conversation</source>
        <extracomment>text put on the clipboard by a message's Copy / Copy as Markdown (message id, -1 previous | +1 next version) the zoom step changed (0 = default size); the owner stores it in Settings</extracomment>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Jump to latest ↓</source>
        <translation>Zur neuesten ↓</translation>
    </message>
    <message>
        <source>Find in Conversation…</source>
        <extracomment>realized views by message id (only the messages near the viewport) a streaming reply's images, kept until it is stored (its view may be rebuilt) message id -&gt; (what it was derived from, its text as shown), for find after a drag: the message kept in place while the visible ones are built</extracomment>
        <translation>In Unterhaltung suchen…</translation>
    </message>
    <message>
        <source>Zoom In</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>Zoom Out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Actual Size</source>
        <translation>Originalgröße</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
</context>
<context>
    <name>CompareColumn</name>
    <message>
        <source>queued</source>
        <extracomment>below this width the columns stack vertically</extracomment>
        <translation>wartet</translation>
    </message>
    <message>
        <source>Reply of {model}</source>
        <translation>Antwort von {model}</translation>
    </message>
    <message>
        <source>The reply of {model} as it streams</source>
        <translation>Die Antwort von {model}, während sie eintrifft</translation>
    </message>
    <message>
        <source>Figures of {model}</source>
        <translation>Kennzahlen von {model}</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop {model}</source>
        <translation>{model} stoppen</translation>
    </message>
    <message>
        <source>Stop this reply only; what arrived is kept</source>
        <translation>Nur diese Antwort stoppen; was angekommen ist, bleibt erhalten</translation>
    </message>
    <message>
        <source>Continue with this one</source>
        <translation>Mit dieser weitermachen</translation>
    </message>
    <message>
        <source>Continue with {model}</source>
        <translation>Mit {model} weitermachen</translation>
    </message>
    <message>
        <source>Show this reply in the conversation; follow-ups continue from it</source>
        <translation>Diese Antwort im Gespräch zeigen; Folgefragen setzen hier an</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <source>Compare Models</source>
        <extracomment>the models starred in a model browser opened from a slot, in starring order "Compare with…": the reply whose prompt other models answer (None: a new prompt)</extracomment>
        <translation>Modelle vergleichen</translation>
    </message>
    <message>
        <source>Compare with Other Models</source>
        <translation>Mit anderen Modellen vergleichen</translation>
    </message>
    <message>
        <source>Model {n}</source>
        <extracomment>per slot: opens the model browser (favourites first) to pick that slot's model</extracomment>
        <translation>Modell {n}</translation>
    </message>
    <message>
        <source>Model {n}: type an id or pick from the list (starred models first)</source>
        <translation>Modell {n}: eine ID eingeben oder aus der Liste wählen (Favoriten zuerst)</translation>
    </message>
    <message>
        <source>Model {n} (optional)</source>
        <translation>Modell {n} (optional)</translation>
    </message>
    <message>
        <source>Browse models for model {n}</source>
        <translation>Modelle für Modell {n} durchsuchen</translation>
    </message>
    <message>
        <source>Pick model {n} in the model browser (starred models first)</source>
        <translation>Modell {n} im Modellkatalog wählen (Favoriten zuerst)</translation>
    </message>
    <message>
        <source>The prompt every model answers</source>
        <translation>Die Eingabe, auf die jedes Modell antwortet</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>Send the prompt to every model picked at once</source>
        <translation>Die Eingabe gleichzeitig an jedes gewählte Modell senden</translation>
    </message>
    <message>
        <source>Stop All</source>
        <translation>Alle stoppen</translation>
    </message>
    <message>
        <source>Stop every reply still streaming (Esc)</source>
        <translation>Jede noch laufende Antwort stoppen (Esc)</translation>
    </message>
    <message>
        <source>Pick two to four models, write a prompt and press Compare. The replies stream side by side, and each is kept as a version of the answer in the conversation.</source>
        <translation>Wählen Sie zwei bis vier Modelle, schreiben Sie eine Eingabe und drücken Sie Vergleichen. Die Antworten erscheinen nebeneinander, und jede bleibt als Version der Antwort im Gespräch erhalten.</translation>
    </message>
    <message>
        <source>Comparison summary</source>
        <translation>Zusammenfassung des Vergleichs</translation>
    </message>
    <message>
        <source>Choose Model {n}</source>
        <translation>Modell {n} wählen</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>streaming…</source>
        <translation>empfängt…</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message</source>
        <extracomment>returns the prompts matching what follows the "/" (favourites first) keys the open picker uses; they must not reach window shortcuts (Esc stops a reply) a key press was handled by the editor (carries the typed text, may be "") local files were pasted or dropped on the editor an image was pasted (PNG bytes) consulted first for every key; True means the key was used (the open picker) True while keys such as Esc and Enter belong to the picker the picker's "Open Prompt Library…" row; carries the text typed after the "/" a system-prompt preset was picked with "/": its (filled) body</extracomment>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Message…  (Enter to send, Shift+Enter for a new line, / for prompts)</source>
        <translation>Nachricht…  (Eingabe sendet, Umschalt+Eingabe für eine neue Zeile, / für Prompts)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Choose the model</source>
        <translation>Das Modell wählen</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Attach files (images, PDFs, text, audio)</source>
        <translation>Dateien anhängen (Bilder, PDFs, Text, Audio)</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Dateien anhängen</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Senden (Eingabe)</translation>
    </message>
    <message>
        <source>Choose a model</source>
        <extracomment>document position of the "/" whose query the picker follows, or None</extracomment>
        <translation>Modell wählen</translation>
    </message>
    <message>
        <source>Model: {model}. Click to choose another.</source>
        <translation>Modell: {model}. Klicken, um ein anderes zu wählen.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>Antwort stoppen (Esc)</translation>
    </message>
</context>
<context>
    <name>ContextGauge</name>
    <message>
        <source>Context used</source>
        <extracomment>start a new chat whose system prompt is a summary of this one hide the oldest turns from requests (they stay in the chat) send every turn again turn on OpenRouter's middle-out transform for this conversation</extracomment>
        <translation>Belegter Kontext</translation>
    </message>
    <message>
        <source>Start a New Chat with a Summary</source>
        <translation>Neuen Chat mit Zusammenfassung beginnen</translation>
    </message>
    <message>
        <source>Drop Oldest Turns</source>
        <translation>Älteste Runden weglassen</translation>
    </message>
    <message>
        <source>Send All Turns Again</source>
        <translation>Wieder alle Runden senden</translation>
    </message>
    <message>
        <source>Enable Middle-Out Compression</source>
        <translation>Middle-out-Komprimierung einschalten</translation>
    </message>
    <message>
        <source>Ask the model for a summary and continue from it in a new chat</source>
        <translation>Das Modell um eine Zusammenfassung bitten und damit in einem neuen Chat weitermachen</translation>
    </message>
    <message>
        <source>Leave the oldest turns out of requests; they stay in the chat</source>
        <translation>Die ältesten Runden nicht mehr mitsenden; sie bleiben im Chat</translation>
    </message>
    <message>
        <source>Let OpenRouter cut the middle of the conversation when it does not fit</source>
        <translation>OpenRouter die Mitte der Unterhaltung kürzen lassen, wenn sie nicht passt</translation>
    </message>
    <message>
        <source>How much of the model's context the next message uses</source>
        <translation>Wie viel vom Kontext des Modells die nächste Nachricht belegt</translation>
    </message>
    <message>
        <source>About {tokens} tokens go to the model with the next message: {percent} % of its context of {limit}.</source>
        <translation>Mit der nächsten Nachricht gehen etwa {tokens} Tokens an das Modell: {percent} % seines Kontexts von {limit}.</translation>
    </message>
    <message>
        <source>Over the limit: the request may be refused or cut. Click for choices.</source>
        <translation>Über der Grenze: Die Anfrage kann abgelehnt oder gekürzt werden. Klicken für Möglichkeiten.</translation>
    </message>
    <message>
        <source>Oldest turns are left out.</source>
        <translation>Die ältesten Runden werden weggelassen.</translation>
    </message>
    <message>
        <source>About {tokens} tokens go to the model with the next message (its context length is not known).</source>
        <translation>Mit der nächsten Nachricht gehen etwa {tokens} Tokens an das Modell (seine Kontextlänge ist unbekannt).</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>just now</source>
        <extracomment>the folder id of a folder row (None on a conversation row) the date group heading drawn above a row that starts a group ("" when none) the subtle second line: "model · time" True on a folder row how many conversations a folder row holds (sub-folders included) top-level rows shown per page filter texts whose matches are kept (a few words typed and erased) what a dragged conversation carries: a JSON list of conversation ids (limit, offset) -&gt; rows, in display order</extracomment>
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
        <source>Pinned</source>
        <extracomment>(conversation ids, folder id or "" for no folder) conversations per folder id ("" = in no folder), in display order top-level rows added per page (the filter's matches use smaller pages) the matches of recently typed filter texts: Backspace shows them again without a scan (forgotten on any change of a title or of the rows)</extracomment>
        <translation>Angeheftet</translation>
    </message>
    <message>
        <source>+  New chat</source>
        <translation>+  Neuer Chat</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Search chats</source>
        <extracomment>the archive/tag choice changed — see `current_filter` Enter in the filter field: search the full text for it (name, parent folder id or "") (folder id, collapsed) (conversation ids, folder id or "" for none)</extracomment>
        <translation>Chats durchsuchen</translation>
    </message>
    <message>
        <source>Filter conversations by title</source>
        <translation>Unterhaltungen nach Titel filtern</translation>
    </message>
    <message>
        <source>Type to filter the list by title; Enter searches every message, Down moves to the list, Esc clears</source>
        <translation>Tippen filtert die Liste nach Titel; Eingabe durchsucht alle Nachrichten, Pfeil nach unten wechselt in die Liste, Esc leert das Feld</translation>
    </message>
    <message>
        <source>New chat (Ctrl+N); made in the selected folder, with its settings</source>
        <translation>Neuer Chat (Strg+N); im ausgewählten Ordner, mit dessen Einstellungen</translation>
    </message>
    <message>
        <source>New folder</source>
        <translation>Neuer Ordner</translation>
    </message>
    <message>
        <source>Show conversations</source>
        <translation>Unterhaltungen anzeigen</translation>
    </message>
    <message>
        <source>Show all conversations, the archive, or a tag</source>
        <translation>Alle Unterhaltungen, das Archiv oder ein Schlagwort zeigen</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Conversations matching the filter</source>
        <translation>Unterhaltungen, die zum Filter passen</translation>
    </message>
    <message>
        <source>No title matches.
Press Enter to search every message.</source>
        <translation>Kein Titel passt.
Eingabetaste durchsucht alle Nachrichten.</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>Anheften</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>Archivieren</translation>
    </message>
    <message>
        <source>Tags…</source>
        <translation>Schlagwörter…</translation>
    </message>
    <message>
        <source>Move to Folder…</source>
        <translation>In Ordner verschieben…</translation>
    </message>
    <message>
        <source>New Folder…</source>
        <translation>Neuer Ordner…</translation>
    </message>
    <message>
        <source>New Sub-folder…</source>
        <translation>Neuer Unterordner…</translation>
    </message>
    <message>
        <source>Folder Settings…</source>
        <translation>Ordnereinstellungen…</translation>
    </message>
    <message>
        <source>All conversations</source>
        <translation>Alle Unterhaltungen</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Archiviert</translation>
    </message>
    <message>
        <source>Nothing is archived.</source>
        <translation>Nichts ist archiviert.</translation>
    </message>
    <message>
        <source>No chat has the tag “{tag}”.</source>
        <translation>Kein Chat hat das Schlagwort „{tag}“.</translation>
    </message>
    <message>
        <source>No chats yet.
What you write below starts one; it is listed here.</source>
        <translation>Noch keine Chats.
Was Sie unten schreiben, beginnt einen; er erscheint hier.</translation>
    </message>
    <message>
        <source>New Chat in Folder</source>
        <translation>Neuer Chat im Ordner</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Lösen</translation>
    </message>
    <message>
        <source>Unarchive</source>
        <translation>Aus dem Archiv holen</translation>
    </message>
    <message>
        <source>Delete the folder “{name}”?</source>
        <translation>Den Ordner „{name}“ löschen?</translation>
    </message>
    <message>
        <source>Its {count} conversations move out of it; none of them is deleted.</source>
        <translation>Seine {count} Unterhaltungen werden herausgenommen; keine davon wird gelöscht.</translation>
    </message>
    <message>
        <source>Delete folder</source>
        <translation>Ordner löschen</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Schlagwörter</translation>
    </message>
    <message>
        <source>Tags for “{title}”, separated by commas:</source>
        <translation>Schlagwörter für „{title}“, durch Kommas getrennt:</translation>
    </message>
    <message>
        <source>No folder</source>
        <translation>Kein Ordner</translation>
    </message>
    <message>
        <source>Move to Folder</source>
        <translation>In Ordner verschieben</translation>
    </message>
    <message>
        <source>Move “{title}” to:</source>
        <translation>„{title}“ verschieben nach:</translation>
    </message>
    <message>
        <source>Name of the new folder:</source>
        <translation>Name des neuen Ordners:</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Previous 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Diesen Monat</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>pinned</source>
        <translation>angeheftet</translation>
    </message>
    <message>
        <source>Folder “{name}”: {count} conversations</source>
        <translation>Ordner „{name}“: {count} Unterhaltungen</translation>
    </message>
    <message>
        <source>New chats here start with the folder’s settings.</source>
        <translation>Neue Chats hier beginnen mit den Einstellungen des Ordners.</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>Start a conversation</source>
        <extracomment>the messages column is capped at this width and centred (readable line length) views are built this many viewport heights above and below the visible part... ...and released once they are this many viewport heights away messages rendered (for their text) per turn of the event loop while find counts a dragged scrollbar that rests this long gets its messages built lines of text shown at the top of a stand-in and of each newly exposed part of it (the other lines are drawn as bars) after a drag, messages are built per turn of the event loop until this much time has gone (at least one): with the paint that follows, a turn stays well under 30 ms</extracomment>
        <translation>Unterhaltung beginnen</translation>
    </message>
    <message>
        <source>Open Settings…</source>
        <translation>Einstellungen öffnen…</translation>
    </message>
    <message>
        <source>Open Settings</source>
        <translation>Einstellungen öffnen</translation>
    </message>
    <message>
        <source>Type below and press Enter to send · Shift+Enter for a new line
Esc stops a reply · Ctrl+N new chat · Ctrl+, settings · Ctrl+F find</source>
        <translation>Unten schreiben und mit Eingabe senden · Umschalt+Eingabe für eine neue Zeile
Esc stoppt eine Antwort · Strg+N neuer Chat · Strg+, Einstellungen · Strg+F suchen</translation>
    </message>
    <message>
        <source>No API key is set. Add your OpenRouter key in Settings (Ctrl+,) —
it is kept in the system keychain — or set $OPENROUTER_API_KEY.</source>
        <translation>Kein API-Schlüssel gesetzt. Fügen Sie Ihren OpenRouter-Schlüssel in den Einstellungen (Strg+,) hinzu —
er wird im Schlüsselbund des Systems gespeichert — oder setzen Sie $OPENROUTER_API_KEY.</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <source>Find in conversation</source>
        <translation>In Unterhaltung suchen</translation>
    </message>
    <message>
        <source>Previous match (Shift+Enter)</source>
        <translation>Vorheriger Treffer (Umschalt+Eingabe)</translation>
    </message>
    <message>
        <source>Next match (Enter)</source>
        <translation>Nächster Treffer (Eingabe)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Schließen (Esc)</translation>
    </message>
    <message>
        <source>{total} so far…</source>
        <translation>bisher {total}…</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>Keine Treffer</translation>
    </message>
    <message>
        <source>{n} of {total}</source>
        <translation>{n} von {total}</translation>
    </message>
    <message>
        <source>{total} matches</source>
        <translation>{total} Treffer</translation>
    </message>
</context>
<context>
    <name>FolderDialog</name>
    <message>
        <source>Folder settings</source>
        <extracomment>(options, parent widget) -&gt; the edited options, or None when cancelled</extracomment>
        <translation>Ordnereinstellungen</translation>
    </message>
    <message>
        <source>Folder name</source>
        <translation>Ordnername</translation>
    </message>
    <message>
        <source>The folder's name in the sidebar</source>
        <translation>Der Name des Ordners in der Seitenleiste</translation>
    </message>
    <message>
        <source>Model for new chats</source>
        <translation>Modell für neue Chats</translation>
    </message>
    <message>
        <source>The model new chats in this folder use; empty: the default model</source>
        <translation>Das Modell neuer Chats in diesem Ordner; leer: das Standardmodell</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Standardmodell</translation>
    </message>
    <message>
        <source>No system prompt</source>
        <translation>Kein Systemprompt</translation>
    </message>
    <message>
        <source>System prompt for new chats</source>
        <translation>Systemprompt für neue Chats</translation>
    </message>
    <message>
        <source>The system prompt new chats in this folder get</source>
        <translation>Der Systemprompt, den neue Chats in diesem Ordner erhalten</translation>
    </message>
    <message>
        <source>Request Options…</source>
        <translation>Anfrageoptionen…</translation>
    </message>
    <message>
        <source>Request options for new chats</source>
        <translation>Anfrageoptionen für neue Chats</translation>
    </message>
    <message>
        <source>Temperature, reasoning, web search and more for new chats in this folder</source>
        <translation>Temperatur, Reasoning, Websuche und mehr für neue Chats in diesem Ordner</translation>
    </message>
    <message>
        <source>Copy from the Open Chat</source>
        <translation>Vom offenen Chat übernehmen</translation>
    </message>
    <message>
        <source>Copy settings from the open chat</source>
        <translation>Einstellungen vom offenen Chat übernehmen</translation>
    </message>
    <message>
        <source>Use the open chat's model, system prompt, options and tools for new chats here</source>
        <translation>Modell, Systemprompt, Optionen und Werkzeuge des offenen Chats für neue Chats hier verwenden</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>Systemprompt:</translation>
    </message>
    <message>
        <source>New chats made in this folder start with these settings.</source>
        <translation>Neue Chats in diesem Ordner beginnen mit diesen Einstellungen.</translation>
    </message>
    <message>
        <source>Tools: {names}.</source>
        <translation>Werkzeuge: {names}.</translation>
    </message>
    <message>
        <source>Options: {names}.</source>
        <translation>Optionen: {names}.</translation>
    </message>
    <message>
        <source>No other options: as in Settings.</source>
        <translation>Keine weiteren Optionen: wie in den Einstellungen.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Main</source>
        <extracomment>emitted from closeEvent; the owner saves what is in flight, then the app quits Conversation &gt; Move to Endpoint &gt; NAME: move the open chat (ChatController.move_to_endpoint)</extracomment>
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
        <source>The last reply: model, provider, tokens, cost</source>
        <translation>Die letzte Antwort: Modell, Anbieter, Tokens, Kosten</translation>
    </message>
    <message>
        <source>Spent in this conversation and today</source>
        <translation>Ausgaben in dieser Unterhaltung und heute</translation>
    </message>
    <message>
        <source>Your OpenRouter key: credit left and limit</source>
        <translation>Ihr OpenRouter-Schlüssel: verbleibendes Guthaben und Limit</translation>
    </message>
    <message>
        <source>Quit</source>
        <extracomment>asked when the window is closed: True hides it instead (the tray icon stays) () -&gt; (configured endpoint names, the open chat's endpoint or None for no chat)</extracomment>
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
        <source>Export All Conversations…</source>
        <translation>Alle Unterhaltungen exportieren…</translation>
    </message>
    <message>
        <source>Import Conversations…</source>
        <translation>Unterhaltungen importieren…</translation>
    </message>
    <message>
        <source>Back Up Now</source>
        <translation>Jetzt sichern</translation>
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
        <source>Browse Models…</source>
        <translation>Modelle durchsuchen…</translation>
    </message>
    <message>
        <source>Conversation Settings…</source>
        <translation>Einstellungen der Unterhaltung…</translation>
    </message>
    <message>
        <source>Prompt Library…</source>
        <translation>Prompt-Bibliothek…</translation>
    </message>
    <message>
        <source>Tools…</source>
        <translation>Werkzeuge…</translation>
    </message>
    <message>
        <source>Usage…</source>
        <translation>Verbrauch…</translation>
    </message>
    <message>
        <source>Compare Models…</source>
        <translation>Modelle vergleichen…</translation>
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
        <source>Compare models side by side</source>
        <translation>Modelle nebeneinander vergleichen</translation>
    </message>
    <message>
        <source>Browse models</source>
        <translation>Modelle durchsuchen</translation>
    </message>
    <message>
        <source>Settings of this conversation</source>
        <translation>Einstellungen dieser Unterhaltung</translation>
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
        <source>Move to Endpoint</source>
        <translation>Zu Endpunkt verschieben</translation>
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
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>Löschen rückgängig machen</translation>
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
    <name>MessageView</name>
    <message>
        <source>You</source>
        <extracomment>new reply text drawn per step at most (about 1 ms of rendering per 1,000 chars)</extracomment>
        <translation>Sie</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Quellen</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <extracomment>a short confirmation for the status bar, e.g. after copying a code block text that was just put on the clipboard by Copy / Copy as Markdown "Compare with…": answer this reply's prompt with other models too (message id, -1 previous | +1 next) the view drew more of a reply on its own (catching up): its height changed code was drawn plain because the renderer was not warm yet (see rehighlight) where attached and generated files are read (None: they are not shown)</extracomment>
        <translation>Überlegungen</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Nachrichtentext</translation>
    </message>
    <message>
        <source>Message text still arriving</source>
        <translation>Nachrichtentext, der noch eintrifft</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the text</source>
        <translation>Den Text kopieren</translation>
    </message>
    <message>
        <source>Copy as Markdown</source>
        <translation>Als Markdown kopieren</translation>
    </message>
    <message>
        <source>Copy the markdown source</source>
        <translation>Den Markdown-Quelltext kopieren</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Edit this message and send it again</source>
        <translation>Diese Nachricht bearbeiten und erneut senden</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <source>Ask for a new reply</source>
        <translation>Um eine neue Antwort bitten</translation>
    </message>
    <message>
        <source>Compare with…</source>
        <translation>Vergleichen mit…</translation>
    </message>
    <message>
        <source>Ask other models the same prompt, side by side</source>
        <translation>Dieselbe Eingabe anderen Modellen stellen, nebeneinander</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete this message</source>
        <translation>Diese Nachricht löschen</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Vorherige Version</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Nächste Version</translation>
    </message>
    <message>
        <source>Reasoning is encrypted by the provider</source>
        <extracomment>text received but not drawn yet, and the final message waiting for it the reply holds formulas (typeset them), and some are still being drawn</extracomment>
        <translation>Die Überlegungen sind vom Anbieter verschlüsselt</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>Denkt nach…</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>{model} via {provider}</source>
        <translation>{model} über {provider}</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>{n} Tokens</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>schreibt…</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>Tool {name}</source>
        <translation>Werkzeug {name}</translation>
    </message>
    <message>
        <source>always allowed</source>
        <translation>immer erlaubt</translation>
    </message>
    <message>
        <source>denied</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>  ·  </source>
        <translation>  ·  </translation>
    </message>
    <message>
        <source>The reply failed.</source>
        <translation>Die Antwort ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Stopped — the text received so far is kept.</source>
        <translation>Gestoppt — der bisher empfangene Text bleibt erhalten.</translation>
    </message>
    <message>
        <source>The reply was cut off at the token limit.</source>
        <translation>Die Antwort wurde am Token-Limit abgeschnitten.</translation>
    </message>
    <message>
        <source>Does not match the schema: {problems}</source>
        <translation>Entspricht nicht dem Schema: {problems}</translation>
    </message>
    <message>
        <source>✓ Matches the schema.</source>
        <translation>✓ Entspricht dem Schema.</translation>
    </message>
    <message>
        <source>Message copied to the clipboard.</source>
        <translation>Nachricht in die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Markdown copied to the clipboard.</source>
        <translation>Markdown in die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Open link?</source>
        <translation>Link öffnen?</translation>
    </message>
    <message>
        <source>This link uses “{scheme}” as its scheme, which may start another program:

{url}

Open it anyway?</source>
        <translation>Dieser Link verwendet das Schema „{scheme}“, das ein anderes Programm starten kann:

{url}

Trotzdem öffnen?</translation>
    </message>
    <message>
        <source>Code copied to the clipboard.</source>
        <translation>Code in die Zwischenablage kopiert.</translation>
    </message>
</context>
<context>
    <name>ModelBrowser</name>
    <message>
        <source>Choose a Model</source>
        <extracomment>the model id to use, with any chosen :suffix appended the favourite model ids, in the order they were starred</extracomment>
        <translation>Modell wählen</translation>
    </message>
    <message>
        <source>Search models</source>
        <translation>Modelle durchsuchen</translation>
    </message>
    <message>
        <source>Search name, id or description…</source>
        <translation>Name, ID oder Beschreibung suchen…</translation>
    </message>
    <message>
        <source>Favourites only</source>
        <translation>Nur Favoriten</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>Favorit</translation>
    </message>
    <message>
        <source>Toggle favourite</source>
        <translation>Favorit umschalten</translation>
    </message>
    <message>
        <source>Star or unstar the selected model (Ctrl+D)</source>
        <translation>Das gewählte Modell als Favorit markieren oder die Markierung entfernen (Strg+D)</translation>
    </message>
    <message>
        <source>Model details</source>
        <translation>Modelldetails</translation>
    </message>
    <message>
        <source>Variant:</source>
        <translation>Variante:</translation>
    </message>
    <message>
        <source>:online — web search</source>
        <translation>:online — Websuche</translation>
    </message>
    <message>
        <source>Online: add web search results</source>
        <translation>Online: Ergebnisse einer Websuche hinzufügen</translation>
    </message>
    <message>
        <source>:nitro — fastest provider</source>
        <translation>:nitro — schnellster Anbieter</translation>
    </message>
    <message>
        <source>Nitro: prefer the fastest provider</source>
        <translation>Nitro: den schnellsten Anbieter bevorzugen</translation>
    </message>
    <message>
        <source>:floor — cheapest provider</source>
        <translation>:floor — günstigster Anbieter</translation>
    </message>
    <message>
        <source>Floor: prefer the cheapest provider</source>
        <translation>Floor: den günstigsten Anbieter bevorzugen</translation>
    </message>
    <message>
        <source>:free — free variant</source>
        <translation>:free — kostenlose Variante</translation>
    </message>
    <message>
        <source>Free: use the free variant</source>
        <translation>Free: die kostenlose Variante verwenden</translation>
    </message>
    <message>
        <source>Model id that will be used</source>
        <translation>Modell-ID, die verwendet wird</translation>
    </message>
    <message>
        <source>Choose</source>
        <translation>Wählen</translation>
    </message>
    <message>
        <source>Choose model</source>
        <translation>Modell wählen</translation>
    </message>
    <message>
        <source>Unfavourite</source>
        <translation>Kein Favorit mehr</translation>
    </message>
    <message>
        <source>Use the free variant {id}:free (rate limited)</source>
        <translation>Die kostenlose Variante {id}:free verwenden (begrenzte Anfragen)</translation>
    </message>
    <message>
        <source>This model has no free variant.</source>
        <translation>Dieses Modell hat keine kostenlose Variante.</translation>
    </message>
    <message>
        <source>Will use: {id}</source>
        <translation>Verwendet: {id}</translation>
    </message>
    <message>
        <source>{total} models</source>
        <translation>{total} Modelle</translation>
    </message>
    <message>
        <source>{shown} of {total}</source>
        <translation>{shown} von {total}</translation>
    </message>
    <message>
        <source>No model matches the search.</source>
        <translation>Kein Modell passt zur Suche.</translation>
    </message>
    <message>
        <source>No model selected.</source>
        <translation>Kein Modell ausgewählt.</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>{n} Tokens</translation>
    </message>
    <message>
        <source>Max completion</source>
        <translation>Max. Antwortlänge</translation>
    </message>
    <message>
        <source>Input types</source>
        <translation>Eingabearten</translation>
    </message>
    <message>
        <source>Output types</source>
        <translation>Ausgabearten</translation>
    </message>
    <message>
        <source>Moderated</source>
        <translation>Moderiert</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>free</source>
        <translation>kostenlos</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>Reasoning</translation>
    </message>
    <message>
        <source>cache read</source>
        <translation>Cache lesen</translation>
    </message>
    <message>
        <source>cache write</source>
        <translation>Cache schreiben</translation>
    </message>
    <message>
        <source>per request</source>
        <translation>pro Anfrage</translation>
    </message>
    <message>
        <source>per image</source>
        <translation>pro Bild</translation>
    </message>
    <message>
        <source>per web search</source>
        <translation>pro Websuche</translation>
    </message>
    <message>
        <source>Prices</source>
        <translation>Preise</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>not listed</source>
        <translation>nicht angegeben</translation>
    </message>
    <message>
        <source>No description.</source>
        <translation>Keine Beschreibung.</translation>
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
    <name>ModelTableModel</name>
    <message>
        <source>OpenRouter picks a model for each prompt and bills that model's price.</source>
        <translation>OpenRouter wählt für jede Eingabe ein Modell und berechnet dessen Preis.</translation>
    </message>
    <message>
        <source>Auto (best model for the prompt)</source>
        <extracomment>roles beyond Qt's own</extracomment>
        <translation>Auto (bestes Modell für die Eingabe)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Prompt $/1M</source>
        <translation>Eingabe $/1M</translation>
    </message>
    <message>
        <source>Completion $/1M</source>
        <translation>Ausgabe $/1M</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Eingabearten</translation>
    </message>
    <message>
        <source>Badges</source>
        <translation>Merkmale</translation>
    </message>
    <message>
        <source>Favourite (click a star, or Ctrl+D)</source>
        <translation>Favorit (Stern anklicken oder Strg+D)</translation>
    </message>
    <message>
        <source>Context window in tokens</source>
        <translation>Kontextfenster in Tokens</translation>
    </message>
    <message>
        <source>USD per million prompt tokens</source>
        <translation>USD pro Million Eingabe-Tokens</translation>
    </message>
    <message>
        <source>USD per million completion tokens</source>
        <translation>USD pro Million Ausgabe-Tokens</translation>
    </message>
    <message>
        <source>What the model accepts as input</source>
        <translation>Was das Modell als Eingabe annimmt</translation>
    </message>
    <message>
        <source>free</source>
        <translation>kostenlos</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>Reasoning</translation>
    </message>
    <message>
        <source>not listed</source>
        <translation>nicht angegeben</translation>
    </message>
    <message>
        <source>{name}
{id}
Supported parameters: {params}</source>
        <translation>{name}
{id}
Unterstützte Parameter: {params}</translation>
    </message>
    <message>
        <source>varies</source>
        <translation>variiert</translation>
    </message>
    <message>
        <source>Remove from favourites</source>
        <translation>Aus den Favoriten entfernen</translation>
    </message>
    <message>
        <source>Add to favourites</source>
        <translation>Zu den Favoriten hinzufügen</translation>
    </message>
    <message>
        <source>favourite</source>
        <translation>Favorit</translation>
    </message>
    <message>
        <source>not a favourite</source>
        <translation>kein Favorit</translation>
    </message>
</context>
<context>
    <name>OptionsDialog</name>
    <message>
        <source>Conversation settings</source>
        <extracomment>colour of "not supported by &lt;model&gt;" flags (readable on light and dark backgrounds)</extracomment>
        <translation>Einstellungen der Unterhaltung</translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation>Einstellungsbereiche</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>Routing</translation>
    </message>
    <message>
        <source>Reasoning &amp;&amp; web</source>
        <translation>Reasoning &amp;&amp; Web</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Probleme</translation>
    </message>
    <message>
        <source>Request preview</source>
        <translation>Anfragevorschau</translation>
    </message>
    <message>
        <source>Show request preview</source>
        <translation>Anfragevorschau anzeigen</translation>
    </message>
    <message>
        <source>The JSON these settings add to each request (messages not shown)</source>
        <translation>Das JSON, das diese Einstellungen jeder Anfrage hinzufügen (ohne Nachrichten)</translation>
    </message>
    <message>
        <source>Use these settings for new conversations</source>
        <translation>Diese Einstellungen für neue Unterhaltungen verwenden</translation>
    </message>
    <message>
        <source>OpenRouter features: this endpoint does not receive them, so they are kept but not sent.</source>
        <translation>OpenRouter-Funktionen: Dieser Endpunkt erhält sie nicht; sie bleiben gespeichert, werden aber nicht gesendet.</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Systemanweisung</translation>
    </message>
    <message>
        <source>Instructions the model gets before the conversation (optional)</source>
        <translation>Anweisungen, die das Modell vor der Unterhaltung erhält (optional)</translation>
    </message>
    <message>
        <source>Fallback models</source>
        <translation>Ersatzmodelle</translation>
    </message>
    <message>
        <source>Model to add</source>
        <translation>Hinzuzufügendes Modell</translation>
    </message>
    <message>
        <source>model id, e.g. openai/gpt-4o-mini</source>
        <translation>Modell-ID, z. B. openai/gpt-4o-mini</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Add fallback model</source>
        <translation>Ersatzmodell hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove fallback model</source>
        <translation>Ersatzmodell entfernen</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <source>Move fallback model up</source>
        <translation>Ersatzmodell nach oben schieben</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>Nach unten</translation>
    </message>
    <message>
        <source>Move fallback model down</source>
        <translation>Ersatzmodell nach unten schieben</translation>
    </message>
    <message>
        <source>Tried in order when the chosen model fails or is unavailable; you pay for the model that answers.</source>
        <translation>Werden der Reihe nach versucht, wenn das gewählte Modell scheitert oder nicht verfügbar ist; bezahlt wird das Modell, das antwortet.</translation>
    </message>
    <message>
        <source>Sampling parameters</source>
        <translation>Sampling-Parameter</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Top P</source>
        <translation>Top P</translation>
    </message>
    <message>
        <source>Top K</source>
        <translation>Top K</translation>
    </message>
    <message>
        <source>Min P</source>
        <translation>Min P</translation>
    </message>
    <message>
        <source>Top A</source>
        <translation>Top A</translation>
    </message>
    <message>
        <source>Frequency penalty</source>
        <translation>Häufigkeitsstrafe</translation>
    </message>
    <message>
        <source>Presence penalty</source>
        <translation>Präsenzstrafe</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>Max. Tokens</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Top log probabilities</source>
        <translation>Top-Log-Wahrscheinlichkeiten</translation>
    </message>
    <message>
        <source>Check a parameter to send it; unchecked ones use the model's default.</source>
        <translation>Angehakte Parameter werden gesendet; für die anderen gilt der Standard des Modells.</translation>
    </message>
    <message>
        <source>any whole number</source>
        <translation>beliebige ganze Zahl</translation>
    </message>
    <message>
        <source>≥ {low}</source>
        <translation>≥ {low}</translation>
    </message>
    <message>
        <source>{low} to {high}</source>
        <translation>{low} bis {high}</translation>
    </message>
    <message>
        <source>Log probabilities</source>
        <translation>Log-Wahrscheinlichkeiten</translation>
    </message>
    <message>
        <source>Return log probabilities</source>
        <translation>Log-Wahrscheinlichkeiten zurückgeben</translation>
    </message>
    <message>
        <source>Stop sequences</source>
        <translation>Stoppsequenzen</translation>
    </message>
    <message>
        <source>one per line, up to 4; \n is a line break</source>
        <translation>eine pro Zeile, höchstens 4; \n ist ein Zeilenumbruch</translation>
    </message>
    <message>
        <source>Logit bias</source>
        <translation>Logit-Bias</translation>
    </message>
    <message>
        <source>JSON: token id → bias from -100 (never) to 100 (always), e.g. {"50256": -100}</source>
        <translation>JSON: Token-ID → Bias von -100 (nie) bis 100 (immer), z. B. {"50256": -100}</translation>
    </message>
    <message>
        <source>Provider order</source>
        <translation>Anbieterreihenfolge</translation>
    </message>
    <message>
        <source>e.g. anthropic, openai (tried first)</source>
        <translation>z. B. anthropic, openai (zuerst versucht)</translation>
    </message>
    <message>
        <source>Only these providers</source>
        <translation>Nur diese Anbieter</translation>
    </message>
    <message>
        <source>provider slugs, comma-separated</source>
        <translation>Anbieterkürzel, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Ignore these providers</source>
        <translation>Diese Anbieter ignorieren</translation>
    </message>
    <message>
        <source>Quantizations</source>
        <translation>Quantisierungen</translation>
    </message>
    <message>
        <source>e.g. fp8, bf16, fp16</source>
        <translation>z. B. fp8, bf16, fp16</translation>
    </message>
    <message>
        <source>Sort providers by</source>
        <translation>Anbieter sortieren nach</translation>
    </message>
    <message>
        <source>Default (balanced)</source>
        <translation>Standard (ausgewogen)</translation>
    </message>
    <message>
        <source>Price (cheapest first)</source>
        <translation>Preis (günstigster zuerst)</translation>
    </message>
    <message>
        <source>Throughput (fastest first)</source>
        <translation>Durchsatz (schnellster zuerst)</translation>
    </message>
    <message>
        <source>Latency (quickest first token)</source>
        <translation>Latenz (schnellstes erstes Token)</translation>
    </message>
    <message>
        <source>Default (allowed)</source>
        <translation>Standard (erlaubt)</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>Erlaubt</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>Nicht erlaubt</translation>
    </message>
    <message>
        <source>Allow provider fallbacks</source>
        <translation>Ausweichen auf andere Anbieter erlauben</translation>
    </message>
    <message>
        <source>Deny providers that may store or train on prompts</source>
        <translation>Anbieter ausschließen, die Eingaben speichern oder zum Training nutzen dürfen</translation>
    </message>
    <message>
        <source>Deny data collection</source>
        <translation>Datensammlung ablehnen</translation>
    </message>
    <message>
        <source>Zero data retention endpoints only</source>
        <translation>Nur Endpunkte ohne Datenspeicherung</translation>
    </message>
    <message>
        <source>Zero data retention only</source>
        <translation>Nur ohne Datenspeicherung</translation>
    </message>
    <message>
        <source>Only providers that support every parameter set here</source>
        <translation>Nur Anbieter, die jeden hier gesetzten Parameter unterstützen</translation>
    </message>
    <message>
        <source>Require parameters</source>
        <translation>Parameter verlangen</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>per 1M tokens</source>
        <translation>pro 1 Mio. Tokens</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>per request</source>
        <translation>pro Anfrage</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>per image</source>
        <translation>pro Bild</translation>
    </message>
    <message>
        <source>Maximum price (USD)</source>
        <translation>Höchstpreis (USD)</translation>
    </message>
    <message>
        <source>Maximum {what} price</source>
        <translation>Höchstpreis: {what}</translation>
    </message>
    <message>
        <source>Only</source>
        <translation>Nur</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignorieren</translation>
    </message>
    <message>
        <source>Sort</source>
        <translation>Sortierung</translation>
    </message>
    <message>
        <source>Fallbacks</source>
        <translation>Ausweichen</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>Datenschutz</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Which upstream providers OpenRouter may use for this conversation. Provider slugs look like “anthropic”, “deepinfra” or “together”.</source>
        <translation>Welche Anbieter OpenRouter für diese Unterhaltung nutzen darf. Anbieterkürzel sehen aus wie „anthropic“, „deepinfra“ oder „together“.</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Überlegungen</translation>
    </message>
    <message>
        <source>Reasoning effort</source>
        <translation>Reasoning-Aufwand</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Nicht gesetzt</translation>
    </message>
    <message>
        <source>Token budget</source>
        <translation>Token-Budget</translation>
    </message>
    <message>
        <source>Set a reasoning token budget</source>
        <translation>Ein Token-Budget für das Reasoning setzen</translation>
    </message>
    <message>
        <source>Reasoning token budget</source>
        <translation>Token-Budget für das Reasoning</translation>
    </message>
    <message>
        <source>Hide the reasoning (the model still thinks)</source>
        <translation>Reasoning ausblenden (das Modell denkt trotzdem nach)</translation>
    </message>
    <message>
        <source>Exclude reasoning from the reply</source>
        <translation>Reasoning nicht in die Antwort aufnehmen</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>On</source>
        <translation>An</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Reasoning enabled</source>
        <translation>Reasoning eingeschaltet</translation>
    </message>
    <message>
        <source>Effort</source>
        <translation>Aufwand</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Eingeschaltet</translation>
    </message>
    <message>
        <source>Set an effort or a token budget, not both.</source>
        <translation>Entweder einen Aufwand oder ein Token-Budget setzen, nicht beides.</translation>
    </message>
    <message>
        <source>Web search</source>
        <translation>Websuche</translation>
    </message>
    <message>
        <source>Search the web for each message</source>
        <translation>Für jede Nachricht im Web suchen</translation>
    </message>
    <message>
        <source>Max results</source>
        <translation>Max. Treffer</translation>
    </message>
    <message>
        <source>Set the number of search results</source>
        <translation>Die Anzahl der Suchtreffer festlegen</translation>
    </message>
    <message>
        <source>Number of search results</source>
        <translation>Anzahl der Suchtreffer</translation>
    </message>
    <message>
        <source>Search prompt</source>
        <translation>Suchanweisung</translation>
    </message>
    <message>
        <source>text put before the results (optional)</source>
        <translation>Text vor den Treffern (optional)</translation>
    </message>
    <message>
        <source>Search engine</source>
        <translation>Suchmaschine</translation>
    </message>
    <message>
        <source>default (native where the provider has it)</source>
        <translation>Standard (native, wo der Anbieter sie hat)</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Suchmaschine</translation>
    </message>
    <message>
        <source>Same as choosing the :online variant; searches are billed per request.</source>
        <translation>Wie die Variante :online; Suchen werden pro Anfrage berechnet.</translation>
    </message>
    <message>
        <source>Structured output</source>
        <translation>Strukturierte Ausgabe</translation>
    </message>
    <message>
        <source>Structured output mode</source>
        <translation>Modus der strukturierten Ausgabe</translation>
    </message>
    <message>
        <source>Off (free text)</source>
        <translation>Aus (freier Text)</translation>
    </message>
    <message>
        <source>JSON object</source>
        <translation>JSON-Objekt</translation>
    </message>
    <message>
        <source>JSON schema</source>
        <translation>JSON-Schema</translation>
    </message>
    <message>
        <source>Schema name</source>
        <translation>Schemaname</translation>
    </message>
    <message>
        <source>Strict (the reply must match exactly)</source>
        <translation>Strikt (die Antwort muss genau passen)</translation>
    </message>
    <message>
        <source>Strict schema</source>
        <translation>Striktes Schema</translation>
    </message>
    <message>
        <source>Schema check</source>
        <translation>Schemaprüfung</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Schema</source>
        <translation>Schema</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Prompt caching: mark the system prompt and long messages for models that need it (Anthropic, Gemini)</source>
        <translation>Prompt-Caching: Systemanweisung und lange Nachrichten für Modelle markieren, die das brauchen (Anthropic, Gemini)</translation>
    </message>
    <message>
        <source>Prompt caching</source>
        <translation>Prompt-Caching</translation>
    </message>
    <message>
        <source>Default (on for models with ≤ 8k context)</source>
        <translation>Standard (an bei Modellen mit ≤ 8k Kontext)</translation>
    </message>
    <message>
        <source>On: drop the middle of chats that are too long</source>
        <translation>An: die Mitte zu langer Unterhaltungen weglassen</translation>
    </message>
    <message>
        <source>Off: fail when the chat is too long</source>
        <translation>Aus: Fehler, wenn die Unterhaltung zu lang ist</translation>
    </message>
    <message>
        <source>Middle-out compression</source>
        <translation>Middle-out-Komprimierung</translation>
    </message>
    <message>
        <source>Middle-out</source>
        <translation>Middle-out</translation>
    </message>
    <message>
        <source>Files and images</source>
        <translation>Dateien und Bilder</translation>
    </message>
    <message>
        <source>PDF reading</source>
        <translation>PDF-Auswertung</translation>
    </message>
    <message>
        <source>Default (text extraction, free)</source>
        <translation>Standard (Textauszug, kostenlos)</translation>
    </message>
    <message>
        <source>Text extraction (pdf-text, free)</source>
        <translation>Textauszug (pdf-text, kostenlos)</translation>
    </message>
    <message>
        <source>OCR for scans (mistral-ocr, billed per page)</source>
        <translation>Texterkennung für Scans (mistral-ocr, pro Seite berechnet)</translation>
    </message>
    <message>
        <source>Native (the model reads the PDF itself)</source>
        <translation>Nativ (das Modell liest das PDF selbst)</translation>
    </message>
    <message>
        <source>Automatic (on for models that make images)</source>
        <translation>Automatisch (an bei Modellen, die Bilder erzeugen)</translation>
    </message>
    <message>
        <source>On: ask for images</source>
        <translation>An: Bilder anfordern</translation>
    </message>
    <message>
        <source>Off: text only</source>
        <translation>Aus: nur Text</translation>
    </message>
    <message>
        <source>Image output</source>
        <translation>Bildausgabe</translation>
    </message>
    <message>
        <source>Image aspect ratio</source>
        <translation>Seitenverhältnis der Bilder</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>Vorgabe des Modells</translation>
    </message>
    <message>
        <source>Aspect ratio</source>
        <translation>Seitenverhältnis</translation>
    </message>
    <message>
        <source>line {line}, column {column}: {message}</source>
        <translation>Zeile {line}, Spalte {column}: {message}</translation>
    </message>
    <message>
        <source>Logit bias is not valid JSON ({where}).</source>
        <translation>Der Logit-Bias ist kein gültiges JSON ({where}).</translation>
    </message>
    <message>
        <source>Logit bias must be a JSON object like {"50256": -100}.</source>
        <translation>Der Logit-Bias muss ein JSON-Objekt sein, etwa {"50256": -100}.</translation>
    </message>
    <message>
        <source>The schema is not valid JSON ({where}).</source>
        <translation>Das Schema ist kein gültiges JSON ({where}).</translation>
    </message>
    <message>
        <source>The schema must be a JSON object.</source>
        <translation>Das Schema muss ein JSON-Objekt sein.</translation>
    </message>
    <message>
        <source>The schema needs a "type" (usually "object").</source>
        <translation>Das Schema braucht einen "type" (meist "object").</translation>
    </message>
    <message>
        <source>Valid JSON schema</source>
        <translation>Gültiges JSON-Schema</translation>
    </message>
    <message>
        <source>Paste or write a JSON schema.</source>
        <translation>Ein JSON-Schema einfügen oder schreiben.</translation>
    </message>
    <message>
        <source>not supported by {model}</source>
        <translation>von {model} nicht unterstützt</translation>
    </message>
    <message>
        <source>{model} does not list this parameter; OpenRouter drops it unless “Require parameters” is on (Routing).</source>
        <translation>{model} nennt diesen Parameter nicht; OpenRouter lässt ihn weg, außer „Parameter verlangen“ ist an (Routing).</translation>
    </message>
    <message>
        <source>Not supported by {model} and probably ignored: {names}</source>
        <translation>Von {model} nicht unterstützt und vermutlich ignoriert: {names}</translation>
    </message>
</context>
<context>
    <name>Parley</name>
    <message>
        <source>Deleted “{title}”.</source>
        <extracomment>the folder settings dialog while it is open (tests reach it here)</extracomment>
        <translation>„{title}“ gelöscht.</translation>
    </message>
    <message>
        <source>Folder deleted; {count} conversations moved out of it.</source>
        <translation>Ordner gelöscht; {count} Unterhaltungen wurden herausgenommen.</translation>
    </message>
    <message>
        <source>Key not removed</source>
        <extracomment>the Settings dialog being prepared (the keychain is read first) storing the keys and applying the settings after OK (None before the first OK) background sync, for Settings &gt; Sync (None: no Sync page)</extracomment>
        <translation>Schlüssel nicht entfernt</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>Einstellungen nicht gespeichert</translation>
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
        <extracomment>the file job running now (one at a time; the progress dialog is window-modal)</extracomment>
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
        <source>Still reading the attached files; send again in a moment.</source>
        <translation>Die angehängten Dateien werden noch gelesen; senden Sie gleich noch einmal.</translation>
    </message>
    <message>
        <source>None of the attached files can be sent; remove them or attach others.</source>
        <translation>Keine der angehängten Dateien kann gesendet werden; entfernen Sie sie oder hängen Sie andere an.</translation>
    </message>
    <message>
        <source>Edit message</source>
        <translation>Nachricht bearbeiten</translation>
    </message>
    <message>
        <source>The edited message is sent as a new version; the original and its replies stay one arrow away.</source>
        <translation>Die bearbeitete Nachricht wird als neue Version gesendet; das Original und seine Antworten bleiben einen Pfeil entfernt erhalten.</translation>
    </message>
    <message>
        <source>Delete this message and the {n} message(s) that follow it?</source>
        <translation>Diese Nachricht und die {n} folgende(n) Nachricht(en) löschen?</translation>
    </message>
    <message>
        <source>Delete this message?</source>
        <translation>Diese Nachricht löschen?</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>Nachricht löschen</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Conversation settings saved.</source>
        <translation>Einstellungen der Unterhaltung gespeichert.</translation>
    </message>
    <message>
        <source>System prompt set for this conversation.</source>
        <translation>Systemanweisung für diese Unterhaltung gesetzt.</translation>
    </message>
    <message>
        <source>Starting tool servers…</source>
        <translation>Werkzeugserver werden gestartet…</translation>
    </message>
    <message>
        <source> (server {server})</source>
        <translation> (Server {server})</translation>
    </message>
    <message>
        <source>Run a tool?</source>
        <translation>Ein Werkzeug ausführen?</translation>
    </message>
    <message>
        <source>The model wants to run {name}{where}.</source>
        <translation>Das Modell möchte {name}{where} ausführen.</translation>
    </message>
    <message>
        <source>Run once</source>
        <translation>Einmal ausführen</translation>
    </message>
    <message>
        <source>Always allow</source>
        <translation>Immer erlauben</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Export All Conversations</source>
        <translation>Alle Unterhaltungen exportieren</translation>
    </message>
    <message>
        <source>Exporting all conversations…</source>
        <translation>Alle Unterhaltungen werden exportiert…</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>Export abgebrochen; es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <source>Import Conversations</source>
        <translation>Unterhaltungen importieren</translation>
    </message>
    <message>
        <source>Conversation exports (*.json);;All files (*)</source>
        <translation>Exporte von Unterhaltungen (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation>{name} wird importiert…</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>Import fehlgeschlagen</translation>
    </message>
    <message>
        <source>Import cancelled; nothing was imported.</source>
        <translation>Import abgebrochen; es wurde nichts importiert.</translation>
    </message>
    <message>
        <source>Backing up the history…</source>
        <translation>Der Verlauf wird gesichert…</translation>
    </message>
    <message>
        <source>Backup failed</source>
        <translation>Sicherung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Wait for the current file operation to finish.</source>
        <translation>Warten Sie, bis der laufende Dateivorgang fertig ist.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Backup written to {path}</source>
        <translation>Sicherung geschrieben nach {path}</translation>
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
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Parley is already running: it shows Quick ask.</source>
        <translation>Parley läuft bereits: es zeigt die Schnellfrage.</translation>
    </message>
    <message>
        <source>Parley is running but did not answer. Close it (or end its process) and try again.</source>
        <translation>Parley läuft, hat aber nicht geantwortet. Schließen Sie es (oder beenden Sie den Prozess) und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The newest backup is {path}. To go back to it, quit and run:
parley restore "{path}"
(the current file is kept aside, not deleted).</source>
        <translation>Die neueste Sicherung ist {path}. Um zu ihr zurückzukehren, beenden Sie Parley und führen Sie aus:
parley restore "{path}"
(die aktuelle Datei wird beiseitegelegt, nicht gelöscht).</translation>
    </message>
    <message>
        <source>No backup was found in {folder}. Nothing was changed or deleted.</source>
        <translation>In {folder} wurde keine Sicherung gefunden. Nichts wurde geändert oder gelöscht.</translation>
    </message>
    <message>
        <source>Settings not loaded</source>
        <translation>Einstellungen nicht geladen</translation>
    </message>
    <message>
        <source>History could not be opened</source>
        <translation>Der Verlauf konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <extracomment>errors reported so far (shown or not), for the status of a session</extracomment>
        <translation>Etwas ist schiefgelaufen</translation>
    </message>
    <message>
        <source>Parley hit an unexpected error and carried on: {error}

If something looks wrong, save your work and restart Parley. To report it, use Copy details (no key is included).</source>
        <translation>Parley ist auf einen unerwarteten Fehler gestoßen und läuft weiter: {error}

Wenn etwas nicht stimmt, sichern Sie Ihre Arbeit und starten Sie Parley neu. Um den Fehler zu melden, nutzen Sie „Details kopieren“ (ohne Schlüssel).</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Details kopieren</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message>
        <source>Over budget</source>
        <translation>Budget überschritten</translation>
    </message>
    <message>
        <source>{message}

Send this message anyway?</source>
        <translation>{message}

Diese Nachricht trotzdem senden?</translation>
    </message>
    <message>
        <source>Remove {name}</source>
        <extracomment>longest side of a generated image drawn inline under a reply thumbnails made so far, by (file, side, modification time); bounded, oldest dropped the file it was attached from (None: pasted bytes)</extracomment>
        <translation>{name} entfernen</translation>
    </message>
    <message>
        <source>{name}
reading…</source>
        <translation>{name}
wird gelesen…</translation>
    </message>
    <message>
        <source>{n} page(s)</source>
        <translation>{n} Seite(n)</translation>
    </message>
    <message>
        <source>not attached</source>
        <translation>nicht angehängt</translation>
    </message>
    <message>
        <source>Cannot attach {name} here.</source>
        <extracomment>a sentence for the status bar (a file that cannot be attached)</extracomment>
        <translation>{name} kann hier nicht angehängt werden.</translation>
    </message>
    <message>
        <source>Image</source>
        <extracomment>True once the picture is drawn (or known to be unreadable)</extracomment>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Open {name}</source>
        <translation>{name} öffnen</translation>
    </message>
    <message>
        <source>Save as…</source>
        <extracomment>True once the picture is drawn (it is decoded on a worker thread)</extracomment>
        <translation>Speichern unter…</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>Bild kopieren</translation>
    </message>
    <message>
        <source>Open large</source>
        <translation>Groß öffnen</translation>
    </message>
    <message>
        <source>Image at {host} — click to load it</source>
        <translation>Bild auf {host} — zum Laden klicken</translation>
    </message>
    <message>
        <source>This image cannot be shown.</source>
        <translation>Dieses Bild kann nicht angezeigt werden.</translation>
    </message>
    <message>
        <source>Generated image</source>
        <translation>Erzeugtes Bild</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Save image</source>
        <translation>Bild speichern</translation>
    </message>
    <message>
        <source>Image not saved</source>
        <translation>Bild nicht gespeichert</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>100 %</source>
        <translation>100 %</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>just now</source>
        <extracomment>a burst of files from the sync tool is merged in one round this long after it ends while the window's asyncio loop is not running yet, the first round is retried this often the round at quit gives up after this long (the next start catches up)</extracomment>
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
        <source>Sync status</source>
        <extracomment>a round merged changes from other devices: lists should be reloaded the text of the status-bar line changed (also after each round) a round finished: its RoundReport a round failed: the sentence to show other tasks this controller started (storing a passphrase) a new passphrase is being stored: rounds wait for it a round is running; cleared before its last status update (the task itself is still running then, so `busy` cannot tell that the round has ended)</extracomment>
        <translation>Synchronisationsstatus</translation>
    </message>
    <message>
        <source>History sync through your sync folder</source>
        <translation>Verlauf wird über Ihren Synchronisationsordner abgeglichen</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Synchronisiere…</translation>
    </message>
    <message>
        <source>⚠ Sync failed</source>
        <translation>⚠ Synchronisation fehlgeschlagen</translation>
    </message>
    <message>
        <source>Synced {ago} · {n} devices</source>
        <translation>Synchronisiert {ago} · {n} Geräte</translation>
    </message>
    <message>
        <source>History sync through {folder}</source>
        <translation>Verlauf wird über {folder} abgeglichen</translation>
    </message>
    <message>
        <source>Sync failed: {error}</source>
        <translation>Synchronisation fehlgeschlagen: {error}</translation>
    </message>
</context>
<context>
    <name>PromptLibrary</name>
    <message>
        <source>Prompt Library</source>
        <extracomment>a (filled) prompt to put into the message box the (filled) body of a system-prompt preset, for the current conversation</extracomment>
        <translation>Prompt-Bibliothek</translation>
    </message>
    <message>
        <source>Search prompts</source>
        <extracomment>id of the prompt in the editor; None for a new one not saved yet True while this dialog saves: the list is then updated in place, not rebuilt</extracomment>
        <translation>Prompts durchsuchen</translation>
    </message>
    <message>
        <source>Search titles, text and tags</source>
        <translation>Titel, Text und Schlagwörter durchsuchen</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>All prompts</source>
        <translation>Alle Prompts</translation>
    </message>
    <message>
        <source>Message prompts</source>
        <translation>Nachrichten-Prompts</translation>
    </message>
    <message>
        <source>System presets</source>
        <translation>Systemvorlagen</translation>
    </message>
    <message>
        <source>Favourites only</source>
        <translation>Nur Favoriten</translation>
    </message>
    <message>
        <source>Prompts</source>
        <translation>Prompts</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>New prompt</source>
        <translation>Neuer Prompt</translation>
    </message>
    <message>
        <source>New prompt (Ctrl+N)</source>
        <translation>Neuer Prompt (Strg+N)</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <source>Duplicate prompt</source>
        <translation>Prompt duplizieren</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Delete prompt</source>
        <translation>Prompt löschen</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importieren…</translation>
    </message>
    <message>
        <source>Import prompts</source>
        <translation>Prompts importieren</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Export prompts</source>
        <translation>Prompts exportieren</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>e.g. Code review</source>
        <translation>z. B. Code-Review</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Schlagwörter</translation>
    </message>
    <message>
        <source>comma-separated, e.g. code, review</source>
        <translation>durch Kommas getrennt, z. B. code, review</translation>
    </message>
    <message>
        <source>Prompt text</source>
        <translation>Text des Prompts</translation>
    </message>
    <message>
        <source>Write the prompt. {{name}} marks a value you are asked for when the prompt is used.</source>
        <translation>Schreiben Sie den Prompt. {{name}} markiert einen Wert, der beim Verwenden abgefragt wird.</translation>
    </message>
    <message>
        <source>Variables</source>
        <translation>Variablen</translation>
    </message>
    <message>
        <source>★ Favourite</source>
        <translation>★ Favorit</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>Favorit</translation>
    </message>
    <message>
        <source>Use as system prompt preset</source>
        <translation>Als Vorlage für die Systemanweisung verwenden</translation>
    </message>
    <message>
        <source>A preset is sent as the conversation's system prompt instead of as a message.</source>
        <translation>Eine Vorlage wird als Systemanweisung der Unterhaltung gesendet, nicht als Nachricht.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Save prompt</source>
        <translation>Prompt speichern</translation>
    </message>
    <message>
        <source>Save (Ctrl+S); also saved when you switch prompts or close</source>
        <translation>Speichern (Strg+S); wird auch beim Wechseln des Prompts oder Schließen gespeichert</translation>
    </message>
    <message>
        <source>&amp;Title:</source>
        <translation>&amp;Titel:</translation>
    </message>
    <message>
        <source>T&amp;ags:</source>
        <translation>Schlag&amp;wörter:</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>&amp;Prompt:</translation>
    </message>
    <message>
        <source>Insert into message</source>
        <translation>In die Nachricht einfügen</translation>
    </message>
    <message>
        <source>Insert into the message box (Ctrl+Enter)</source>
        <translation>In das Nachrichtenfeld einfügen (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Use as system prompt</source>
        <translation>Als Systemanweisung verwenden</translation>
    </message>
    <message>
        <source>Use this preset as the system prompt of the current conversation</source>
        <translation>Diese Vorlage als Systemanweisung der aktuellen Unterhaltung verwenden</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Prompts: {n}</source>
        <translation>Prompts: {n}</translation>
    </message>
    <message>
        <source>system preset</source>
        <translation>Systemvorlage</translation>
    </message>
    <message>
        <source>favourite</source>
        <translation>Favorit</translation>
    </message>
    <message>
        <source>Variables (asked for when the prompt is used): {names}</source>
        <translation>Variablen (werden beim Verwenden abgefragt): {names}</translation>
    </message>
    <message>
        <source>No variables. Write {{name}} where a value should be asked for.</source>
        <translation>Keine Variablen. Schreiben Sie {{name}} dort, wo ein Wert abgefragt werden soll.</translation>
    </message>
    <message>
        <source>Untitled prompt</source>
        <translation>Prompt ohne Titel</translation>
    </message>
    <message>
        <source>Saved “{title}”.</source>
        <translation>„{title}“ gespeichert.</translation>
    </message>
    <message>
        <source>{title} (copy)</source>
        <translation>{title} (Kopie)</translation>
    </message>
    <message>
        <source>this prompt</source>
        <translation>diesen Prompt</translation>
    </message>
    <message>
        <source>Delete “{title}” from the library? This cannot be undone.</source>
        <translation>„{title}“ aus der Bibliothek löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Deleted “{title}”.</source>
        <translation>„{title}“ gelöscht.</translation>
    </message>
    <message>
        <source>Import Prompts</source>
        <translation>Prompts importieren</translation>
    </message>
    <message>
        <source>Parley prompts (*.json);;All files (*)</source>
        <translation>Parley-Prompts (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Export Prompts</source>
        <translation>Prompts exportieren</translation>
    </message>
    <message>
        <source>Prompt not saved</source>
        <translation>Prompt nicht gespeichert</translation>
    </message>
    <message>
        <source>Your changes could not be saved. Close and lose them?</source>
        <translation>Ihre Änderungen konnten nicht gespeichert werden. Trotzdem schließen und sie verwerfen?</translation>
    </message>
</context>
<context>
    <name>PromptPicker</name>
    <message>
        <source>Prompts</source>
        <extracomment>item data: the prompt id (-1 for the "open the library" row) item data: the dimmed second line (tags, or the start of the body) item data: bool, draw a star before the title item data: text of a small badge after the title ("" for none) the picker row that opens the library instead of a prompt variable names that usually hold more than one line of text a row was clicked the popup closed by itself (a click elsewhere), not through `dismiss()`</extracomment>
        <translation>Prompts</translation>
    </message>
    <message>
        <source>system preset</source>
        <translation>Systemvorlage</translation>
    </message>
    <message>
        <source>Open Prompt Library…</source>
        <translation>Prompt-Bibliothek öffnen…</translation>
    </message>
</context>
<context>
    <name>PromptsController</name>
    <message>
        <source>Could not write {path}: {error}.</source>
        <extracomment>larger files are refused before they are read (a prompt library is kilobytes) how many prompts the "/" picker offers at most the library changed (created, edited, deleted or imported prompts) a failure as a complete sentence; nothing was changed by the failed call a short confirmation ("Imported 3 prompts.")</extracomment>
        <translation>{path} konnte nicht geschrieben werden: {error}.</translation>
    </message>
    <message>
        <source>Exported {n} prompt(s) to {path}.</source>
        <translation>{n} Prompt(s) nach {path} exportiert.</translation>
    </message>
    <message>
        <source>Could not read {path}: {error}.</source>
        <translation>{path} konnte nicht gelesen werden: {error}.</translation>
    </message>
    <message>
        <source>Cannot import {path}: it is not a JSON file.</source>
        <translation>{path} kann nicht importiert werden: Das ist keine JSON-Datei.</translation>
    </message>
    <message>
        <source>Imported {added} prompt(s); {skipped} already in the library.</source>
        <translation>{added} Prompt(s) importiert; {skipped} waren schon in der Bibliothek.</translation>
    </message>
</context>
<context>
    <name>QuickAskWindow</name>
    <message>
        <source>Parley — Quick ask</source>
        <extracomment>the answer area grows with the answer up to this height, then scrolls the window was hidden (Esc, the close button, or "Open in Parley")</extracomment>
        <translation>Parley — Schnellfrage</translation>
    </message>
    <message>
        <source>Quick ask</source>
        <translation>Schnellfrage</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>The model that answers (the default model in Settings)</source>
        <translation>Das Modell, das antwortet (das Standardmodell aus den Einstellungen)</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>Ask a new question in a new chat (Ctrl+N)</source>
        <translation>Eine neue Frage in einem neuen Chat stellen (Strg+N)</translation>
    </message>
    <message>
        <source>New question</source>
        <translation>Neue Frage</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop the answer; what arrived is kept (Ctrl+.)</source>
        <translation>Die Antwort stoppen; was schon da ist, bleibt erhalten (Strg+.)</translation>
    </message>
    <message>
        <source>Stop answer</source>
        <translation>Antwort stoppen</translation>
    </message>
    <message>
        <source>Open in Parley</source>
        <translation>In Parley öffnen</translation>
    </message>
    <message>
        <source>Open this conversation in the main window</source>
        <translation>Diese Unterhaltung im Hauptfenster öffnen</translation>
    </message>
    <message>
        <source>Hide (Esc); an answer still arriving is kept</source>
        <translation>Ausblenden (Esc); eine noch eintreffende Antwort bleibt erhalten</translation>
    </message>
    <message>
        <source>Hide quick ask</source>
        <translation>Schnellfrage ausblenden</translation>
    </message>
    <message>
        <source>Quick question</source>
        <translation>Schnelle Frage</translation>
    </message>
    <message>
        <source>Enter sends, Shift+Enter adds a line, Esc hides</source>
        <translation>Eingabe sendet, Umschalt+Eingabe fügt eine Zeile hinzu, Esc blendet aus</translation>
    </message>
    <message>
        <source>Ask anything…  (Enter to send, Esc to hide)</source>
        <translation>Fragen Sie etwas…  (Eingabe sendet, Esc blendet aus)</translation>
    </message>
    <message>
        <source>Your question</source>
        <translation>Ihre Frage</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Quick ask status</source>
        <translation>Status der Schnellfrage</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <source>Search Conversations</source>
        <extracomment>the markers app.core.history.search puts around matches in snippets wait this long after the last key press before searching (conversation id, message id or -1 for a title match)</extracomment>
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
        <source>Settings sections</source>
        <translation>Einstellungsbereiche</translation>
    </message>
    <message>
        <source>OpenRouter</source>
        <translation>OpenRouter</translation>
    </message>
    <message>
        <source>Endpoints</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <source>OpenRouter is always available. Add any OpenAI-compatible server (llama.cpp, Ollama, LM Studio, vLLM…); each has its own key in the keychain, and OpenRouter-only options are not sent to it.</source>
        <translation>OpenRouter ist immer verfügbar. Fügen Sie beliebige OpenAI-kompatible Server hinzu (llama.cpp, Ollama, LM Studio, vLLM…); jeder hat seinen eigenen Schlüssel im Schlüsselbund, und OpenRouter-spezifische Optionen werden ihm nicht gesendet.</translation>
    </message>
    <message>
        <source>Endpoint name</source>
        <translation>Name des Servers</translation>
    </message>
    <message>
        <source>e.g. Local llama</source>
        <translation>z. B. Lokales Llama</translation>
    </message>
    <message>
        <source>Endpoint base URL</source>
        <translation>Basis-URL des Servers</translation>
    </message>
    <message>
        <source>Endpoint API key</source>
        <translation>API-Schlüssel des Servers</translation>
    </message>
    <message>
        <source>optional; kept in the keychain</source>
        <translation>optional; wird im Schlüsselbund gespeichert</translation>
    </message>
    <message>
        <source>Add endpoint</source>
        <translation>Server hinzufügen</translation>
    </message>
    <message>
        <source>Remove endpoint</source>
        <translation>Server entfernen</translation>
    </message>
    <message>
        <source>Endpoint for new messages</source>
        <translation>Server für neue Nachrichten</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Use for new messages</source>
        <translation>Für neue Nachrichten verwenden</translation>
    </message>
    <message>
        <source>{name} — built in</source>
        <translation>{name} — eingebaut</translation>
    </message>
    <message>
        <source>That name is taken.</source>
        <translation>Dieser Name ist vergeben.</translation>
    </message>
    <message>
        <source>MCP servers, in the JSON other desktop clients use: {"mcpServers": {"name": {"command": …, "args": […], "env": {…}}}} for a local program, or {"url": …} for a server on the network. Choose which tools a conversation may use with Conversation &gt; Tools.</source>
        <translation>MCP-Server im JSON-Format anderer Desktop-Clients: {"mcpServers": {"name": {"command": …, "args": […], "env": {…}}}} für ein lokales Programm oder {"url": …} für einen Server im Netz. Welche Werkzeuge eine Unterhaltung nutzen darf, wählen Sie unter Unterhaltung &gt; Werkzeuge.</translation>
    </message>
    <message>
        <source>MCP servers (JSON)</source>
        <translation>MCP-Server (JSON)</translation>
    </message>
    <message>
        <source>Tool steps per reply</source>
        <translation>Werkzeugschritte pro Antwort</translation>
    </message>
    <message>
        <source>Tool time limit</source>
        <translation>Zeitlimit für Werkzeuge</translation>
    </message>
    <message>
        <source>Time limit per call</source>
        <translation>Zeitlimit pro Aufruf</translation>
    </message>
    <message>
        <source>Not valid JSON: {error}</source>
        <translation>Kein gültiges JSON: {error}</translation>
    </message>
    <message>
        <source>{n} server(s): {names}</source>
        <translation>{n} Server: {names}</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Erscheinungsbild</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Title model</source>
        <translation>Modell für Titel</translation>
    </message>
    <message>
        <source>off — e.g. openai/gpt-4o-mini names chats after the first reply</source>
        <translation>aus — z. B. benennt openai/gpt-4o-mini Chats nach der ersten Antwort</translation>
    </message>
    <message>
        <source>HTTP-Referer</source>
        <translation>HTTP-Referer</translation>
    </message>
    <message>
        <source>App title</source>
        <translation>App-Titel</translation>
    </message>
    <message>
        <source>Sent to OpenRouter only, for its app rankings; leave empty to send nothing.</source>
        <translation>Wird nur an OpenRouter gesendet, für dessen App-Ranglisten; leer lassen, um nichts zu senden.</translation>
    </message>
    <message>
        <source>Show icon in the system tray</source>
        <translation>Symbol im Infobereich anzeigen</translation>
    </message>
    <message>
        <source>An icon with New chat, Quick ask, Show Parley and Quit</source>
        <translation>Ein Symbol mit Neuer Chat, Schnellfrage, Parley anzeigen und Beenden</translation>
    </message>
    <message>
        <source>Close to tray</source>
        <translation>Beim Schließen in den Infobereich</translation>
    </message>
    <message>
        <source>Closing the window hides it while the tray icon is there; Quit ends Parley</source>
        <translation>Schließen blendet das Fenster aus, solange das Symbol im Infobereich ist; Beenden beendet Parley</translation>
    </message>
    <message>
        <source>Tray</source>
        <translation>Infobereich</translation>
    </message>
    <message>
        <source>This desktop has no system tray, so Parley cannot show an icon there.</source>
        <translation>Diese Arbeitsumgebung hat keinen Infobereich, daher kann Parley dort kein Symbol anzeigen.</translation>
    </message>
    <message>
        <source>Monthly budget</source>
        <translation>Monatsbudget</translation>
    </message>
    <message>
        <source>Daily budget</source>
        <translation>Tagesbudget</translation>
    </message>
    <message>
        <source>Ask before sending over budget</source>
        <translation>Vor dem Senden über Budget nachfragen</translation>
    </message>
    <message>
        <source>Parley warns at 80% and 100% of a budget, counting the costs the endpoints reported.</source>
        <translation>Parley warnt bei 80 % und 100 % eines Budgets und zählt dabei die Kosten, die die Endpunkte gemeldet haben.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keins</translation>
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
    <name>SpendChart</name>
    <message>
        <source>Spend per day</source>
        <extracomment>series hues (degrees); lightness follows the theme so bars read on light and dark the most series drawn apart; the rest are one "other" segment</extracomment>
        <translation>Ausgaben pro Tag</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <source>Sync folder</source>
        <translation>Synchronisationsordner</translation>
    </message>
    <message>
        <source>A folder your sync tool (Syncthing, Dropbox, Nextcloud, OneDrive, iCloud Drive) keeps in step between your computers. Empty: sync is off.</source>
        <translation>Ein Ordner, den Ihr Synchronisationsprogramm (Syncthing, Dropbox, Nextcloud, OneDrive, iCloud Drive) zwischen Ihren Computern abgleicht. Leer: keine Synchronisation.</translation>
    </message>
    <message>
        <source>e.g. ~/Dropbox/Parley  (empty: off)</source>
        <translation>z. B. ~/Dropbox/Parley  (leer: aus)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
    <message>
        <source>Choose the sync folder</source>
        <translation>Synchronisationsordner auswählen</translation>
    </message>
    <message>
        <source>Pick the sync folder</source>
        <translation>Den Synchronisationsordner auswählen</translation>
    </message>
    <message>
        <source>Sync passphrase</source>
        <translation>Synchronisations-Passphrase</translation>
    </message>
    <message>
        <source>With a passphrase everything Parley writes in the folder is encrypted. Use the same one on every computer; it is kept in the system keychain.</source>
        <translation>Mit einer Passphrase verschlüsselt Parley alles, was es in den Ordner schreibt. Verwenden Sie auf jedem Computer dieselbe; sie wird im Schlüsselbund des Systems gespeichert.</translation>
    </message>
    <message>
        <source>$PARLEY_SYNC_PASSPHRASE is set and is used</source>
        <translation>$PARLEY_SYNC_PASSPHRASE ist gesetzt und wird verwendet</translation>
    </message>
    <message>
        <source>optional; leave empty to keep the stored one</source>
        <translation>optional; leer lassen, um die gespeicherte zu behalten</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Jetzt synchronisieren</translation>
    </message>
    <message>
        <source>Send this computer's changes and merge the others'</source>
        <translation>Die Änderungen dieses Computers senden und die der anderen übernehmen</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Letzte Synchronisation</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>Last sync:</source>
        <translation>Letzte Synchronisation:</translation>
    </message>
    <message>
        <source>Press OK to save the new folder; it syncs then.</source>
        <translation>Klicken Sie auf OK, um den neuen Ordner zu speichern; dann wird synchronisiert.</translation>
    </message>
    <message>
        <source>Choose a folder first.</source>
        <translation>Wählen Sie zuerst einen Ordner.</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Synchronisiere…</translation>
    </message>
    <message>
        <source>Sync is off.</source>
        <translation>Die Synchronisation ist aus.</translation>
    </message>
    <message>
        <source>Not synced yet in this session.</source>
        <translation>In dieser Sitzung noch nicht synchronisiert.</translation>
    </message>
    <message>
        <source>{ago}: sent {sent}, received {received} change(s).</source>
        <translation>{ago}: {sent} Änderung(en) gesendet, {received} empfangen.</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>dieser Computer</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>• {who} ({id}): last seen {seen}</source>
        <translation>• {who} ({id}): zuletzt gesehen {seen}</translation>
    </message>
</context>
<context>
    <name>ToolsDialog</name>
    <message>
        <source>Tools for This Conversation</source>
        <extracomment>a server's stderr, for the log pane</extracomment>
        <translation>Werkzeuge für diese Unterhaltung</translation>
    </message>
    <message>
        <source>Ticked tools are offered to the model. Parley asks before each call unless you chose “Always allow” for that tool. MCP servers are set up in Settings.</source>
        <translation>Angehakte Werkzeuge werden dem Modell angeboten. Parley fragt vor jedem Aufruf, außer Sie haben für das Werkzeug „Immer erlauben“ gewählt. MCP-Server richten Sie in den Einstellungen ein.</translation>
    </message>
    <message>
        <source>Available tools</source>
        <translation>Verfügbare Werkzeuge</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Built in</source>
        <translation>Eingebaut</translation>
    </message>
    <message>
        <source>Tool choice</source>
        <translation>Werkzeugwahl</translation>
    </message>
    <message>
        <source>Model decides (auto)</source>
        <translation>Das Modell entscheidet (auto)</translation>
    </message>
    <message>
        <source>Must call a tool</source>
        <translation>Muss ein Werkzeug aufrufen</translation>
    </message>
    <message>
        <source>Never call tools</source>
        <translation>Nie Werkzeuge aufrufen</translation>
    </message>
    <message>
        <source>Allow several calls at once</source>
        <translation>Mehrere Aufrufe gleichzeitig erlauben</translation>
    </message>
    <message>
        <source>Parallel tool calls</source>
        <translation>Parallele Werkzeugaufrufe</translation>
    </message>
    <message>
        <source>Server log to show</source>
        <translation>Anzuzeigendes Serverprotokoll</translation>
    </message>
    <message>
        <source>Server log</source>
        <translation>Serverprotokoll</translation>
    </message>
    <message>
        <source>The server's error output appears here.</source>
        <translation>Die Fehlerausgabe des Servers erscheint hier.</translation>
    </message>
</context>
<context>
    <name>TrayMenu</name>
    <message>
        <source>Parley tray menu</source>
        <translation>Parley-Menü im Infobereich</translation>
    </message>
    <message>
        <source>New Chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Show Parley with a new, empty chat</source>
        <translation>Parley mit einem neuen, leeren Chat anzeigen</translation>
    </message>
    <message>
        <source>Quick Ask…</source>
        <translation>Schnellfrage…</translation>
    </message>
    <message>
        <source>Ask a quick question in a small window</source>
        <translation>Eine schnelle Frage in einem kleinen Fenster stellen</translation>
    </message>
    <message>
        <source>Show Parley</source>
        <translation>Parley anzeigen</translation>
    </message>
    <message>
        <source>Bring the Parley window back</source>
        <translation>Das Parley-Fenster wieder anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>End Parley (a reply in progress is kept as stopped)</source>
        <translation>Parley beenden (eine laufende Antwort bleibt als gestoppt erhalten)</translation>
    </message>
</context>
<context>
    <name>UsageDialog</name>
    <message>
        <source>Usage</source>
        <extracomment>(range, "model" | "endpoint") -&gt; the figures figures shown (for tests and the status bar): the Dashboard columns of the per-model table</extracomment>
        <translation>Verbrauch</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Diesen Monat</translation>
    </message>
    <message>
        <source>Last 12 months</source>
        <translation>Letzte 12 Monate</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Benutzerdefiniert</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Stack bars by</source>
        <translation>Balken stapeln nach</translation>
    </message>
    <message>
        <source>By model</source>
        <translation>Nach Modell</translation>
    </message>
    <message>
        <source>By endpoint</source>
        <translation>Nach Endpunkt</translation>
    </message>
    <message>
        <source>Save Chart as PNG…</source>
        <translation>Diagramm als PNG speichern…</translation>
    </message>
    <message>
        <source>Save Numbers as CSV…</source>
        <translation>Zahlen als CSV speichern…</translation>
    </message>
    <message>
        <source>Spend by model</source>
        <translation>Ausgaben nach Modell</translation>
    </message>
    <message>
        <source>Most expensive conversations</source>
        <translation>Teuerste Unterhaltungen</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Replies</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>Überlegungen</translation>
    </message>
    <message>
        <source>Cached</source>
        <translation>Zwischengespeichert</translation>
    </message>
    <message>
        <source>Avg / reply</source>
        <translation>Ø pro Antwort</translation>
    </message>
    <message>
        <source>Median TTFT</source>
        <translation>Median bis 1. Token</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>Tokens/s</translation>
    </message>
    <message>
        <source>Double-click to open the conversation</source>
        <translation>Doppelklicken, um die Unterhaltung zu öffnen</translation>
    </message>
    <message>
        <source>OpenRouter credit: asking…</source>
        <translation>OpenRouter-Guthaben: wird abgefragt…</translation>
    </message>
    <message>
        <source>Adding up…</source>
        <translation>Wird zusammengezählt…</translation>
    </message>
    <message>
        <source>OpenRouter credit: unknown (no key, or the endpoint did not answer).</source>
        <translation>OpenRouter-Guthaben: unbekannt (kein Schlüssel, oder der Endpunkt hat nicht geantwortet).</translation>
    </message>
    <message>
        <source>OpenRouter: {text}.</source>
        <translation>OpenRouter: {text}.</translation>
    </message>
    <message>
        <source>reply</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>replies</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>{since} to {until}: {cost} over {n} {noun}</source>
        <translation>{since} bis {until}: {cost} für {n} {noun}</translation>
    </message>
    <message>
        <source> · {p} prompt and {c} completion tokens</source>
        <translation> · {p} Prompt- und {c} Antwort-Tokens</translation>
    </message>
    <message>
        <source>{note} (not in the cost)</source>
        <translation>{note} (nicht in den Kosten)</translation>
    </message>
    <message>
        <source>This month: {spent} (no monthly budget set in Settings).</source>
        <translation>Dieser Monat: {spent} (kein Monatsbudget in den Einstellungen).</translation>
    </message>
    <message>
        <source>This month: {spent} of your {budget} budget ({share:.0%}).</source>
        <translation>Dieser Monat: {spent} von Ihrem Budget von {budget} ({share:.0%}).</translation>
    </message>
    <message>
        <source>{n} replies without a reported cost are not in this figure</source>
        <translation>{n} Antworten ohne gemeldete Kosten sind in dieser Zahl nicht enthalten</translation>
    </message>
    <message>
        <source> (in the trash)</source>
        <translation> (im Papierkorb)</translation>
    </message>
    <message>
        <source>Save Chart</source>
        <translation>Diagramm speichern</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>Save Numbers</source>
        <translation>Zahlen speichern</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>⚠ The chart could not be saved to {path}: check that the folder exists and is writable.</source>
        <translation>⚠ Das Diagramm konnte nicht unter {path} gespeichert werden: Prüfen Sie, ob der Ordner existiert und beschreibbar ist.</translation>
    </message>
    <message>
        <source>⚠ The numbers could not be saved to {path}: {error}.</source>
        <translation>⚠ Die Zahlen konnten nicht unter {path} gespeichert werden: {error}.</translation>
    </message>
</context>
<context>
    <name>VariableForm</name>
    <message>
        <source>Fill in “{title}”</source>
        <extracomment>values typed this session, offered again the next time a form asks for the same name</extracomment>
        <translation>„{title}“ ausfüllen</translation>
    </message>
    <message>
        <source>This prompt has placeholders. Fill them in to insert it.</source>
        <translation>Dieser Prompt hat Platzhalter. Füllen Sie sie aus, um ihn einzufügen.</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Preview of the filled prompt</source>
        <translation>Vorschau des ausgefüllten Prompts</translation>
    </message>
    <message>
        <source>Insert</source>
        <translation>Einfügen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <source>Welcome to Parley</source>
        <extracomment>(key) -&gt; a sentence describing the key, or raises ParleyError (base_url) -&gt; number of models the server lists, or raises ParleyError runs a coroutine as a task that someone owns; returns the task the user connected: a key was stored, or a local server was chosen</extracomment>
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