## SOS
sos-title-support = 🆘 Если тебе сейчас очень тяжело, можно позвонить — там выслушают:
sos-title-no-support = 🆘 Линии поддержки для этой страны у нас пока нет.
sos-entry = 📞 { $phone } — { $name }
sos-entry-russian = { $line } · говорят по-русски
sos-entry-details = { $description }
sos-emergency = 🚨 Если есть угроза жизни — { $phones }.
sos-directory = 🌍 Линии помощи в любой стране: findahelpline.com
sos-country = Страна: { $country }. Другая — кнопкой ниже.
sos-or = или
btn-sos-other-country = 🌍 Другая страна
sos-pick-country = Выбери страну:
country-RU = Россия
country-BY = Беларусь
country-KZ = Казахстан
country-UZ = Узбекистан
country-KG = Кыргызстан
country-AM = Армения
country-GE = Грузия
country-AZ = Азербайджан
country-MD = Молдова
country-UA = Украина
country-TJ = Таджикистан
country-RS = Сербия
country-ME = Черногория
country-TR = Турция
country-IL = Израиль
country-CY = Кипр
country-DE = Германия
country-PL = Польша
country-LV = Латвия
country-LT = Литва
country-EE = Эстония
country-FI = Финляндия
country-GB = Великобритания
country-US = США
country-AE = ОАЭ
country-TH = Таиланд

## Reports
report-no-peer = Пожаловаться можно на собеседника — во время разговора или в течение суток после него.
report-choose-reason = Что случилось? Жалоба завершит разговор, и с этим человеком тебя больше не соединят.
report-reason-spam = Спам или реклама
report-reason-abuse = Оскорбления
report-reason-danger = Опасность, угрозы
report-reason-other = Другое
report-details =
    Можешь коротко описать, что произошло, и переслать сюда сообщения из разговора — они попадут только к модераторам.
    Когда закончишь, нажми «Отправить жалобу».
btn-report-send = Отправить жалобу
btn-report-cancel = Не отправлять
report-comment-saved = Комментарий добавлен.
report-evidence-saved = Сообщение прикреплено к жалобе.
report-cancelled = Жалоба не отправлена.
report-thanks = Спасибо, жалоба отправлена. Модераторы её посмотрят, а с этим человеком тебя больше не соединят.
report-error-already_reported = Жалоба на этот разговор уже отправлена — модераторы разбираются.
report-error-rate_limited = Слишком часто — подожди минуту и попробуй снова.
report-error-comment_too_long = Комментарий длинноват — до 500 символов, пожалуйста.
report-error-no_peer = Пожаловаться можно на собеседника — во время разговора или в течение суток после него.
report-error-bad_reason = Выбери причину кнопкой.
chat-ended-quietly = Разговор завершён. Найти нового собеседника — /find.

## Block
block-no-peer = Сейчас нет собеседника, которого можно заблокировать.
block-confirm = Заблокировать собеседника? Разговор сразу завершится, и 30 дней вас не будут соединять.
btn-block-yes = Да, заблокировать
btn-block-no = Нет, продолжить
block-done = Готово: собеседник заблокирован, разговор завершён. Сообщения этого собеседника больше не придут.

## Toxicity and crisis in the conversation
toxic-withheld = Это сообщение не доставлено: в нём { $what }. Давай бережнее — собеседник тоже проходит через трудное.
toxic-what-insult = оскорбление
toxic-what-harassment = давление или травля
toxic-what-sexual_demand = сексуальные требования
toxic-what-threat = угроза
toxic-what-hate = ненависть к людям
toxic-what-obscene = грубость
toxic-muted = Из-за повторных нарушений ты не можешь писать до { $until }. Если это ошибка — /appeal.
muted-now = Сейчас ты не можешь отправлять сообщения (до { $until }).
crisis-to-writer = Спасибо, что делишься этим. Похоже, сейчас тебе совсем непросто — и справляться с этим в одиночку не нужно.
crisis-to-peer =
    Собеседнику, похоже, сейчас очень тяжело. Спасать не нужно — просто будь рядом:
    • скажи, что слышишь и что это важно;
    • спроси прямо, в безопасности ли собеседник сейчас;
    • предложи нажать «🆘 Помощь» внизу экрана — там номера, по которым выслушают;
    • если и тебе становится тяжело, это нормально: разговор можно завершить — /end.
crisis-after-end =
    Разговор завершён. Береги себя.
    Если станет тяжело — «🆘 Помощь» внизу экрана всегда рядом.
    Хочешь, я напишу тебе завтра и спрошу, как ты?
btn-check-in-yes = Да, напиши завтра
btn-check-in-no = Не нужно
check-in-scheduled = Хорошо. Напишу завтра — просто спрошу, как ты.
check-in-declined = Хорошо. Если захочется поговорить — /find, а «🆘 Помощь» всегда внизу.
check-in-ask = Привет. Вчера тебе было непросто. Как ты сейчас?
btn-check-in-better = Лучше
btn-check-in-same = Так же
btn-check-in-worse = Хуже
check-in-answer-better = Это хорошая новость. Береги себя — и возвращайся, когда захочется поговорить.
check-in-answer-same = Спасибо за ответ. Так бывает. Если хочется поговорить — /find: поищу человека с похожим опытом.
check-in-answer-worse = Спасибо за честный ответ. Жаль, что стало тяжелее.
check-in-stale = Спасибо, ответ уже записан.
help-button = 🆘 Помощь
menu-find = 🔍 Найти собеседника
menu-profile = 👤 Мой профиль
menu-placeholder = Напиши сообщение…
menu-shown = Кнопки внизу экрана — всегда под рукой: поиск, профиль и «🆘 Помощь».

## Moderators
mod-alert-report = 🚩 Жалоба #{ $reportId }: { $reason }. На пользователя #{ $target } ({ $nickname }), от #{ $from }. { $comment ->
        [yes] Комментарий — кнопкой «📝 Текст».
       *[no] Без комментария.
    }
mod-alert-suspended = ⏸ Пользователь #{ $target } приостановлен автоматически: { $count } { $count ->
        [one] открытая жалоба
        [few] открытые жалобы
       *[many] открытых жалоб
    }.
mod-alert-toxic = ⚠️ Пользователь #{ $target } ({ $nickname }) временно заглушён до { $until } за повторную токсичность ({ $labels }).
mod-alert-crisis = 🆘 Признаки кризиса (тяжесть { $severity }: { $labels }) у пользователя #{ $target }, сессия #{ $session }. Текст не хранится; автору показаны номера помощи, собеседнику — подсказка, как поддержать.
mod-alert-appeal = 📨 Апелляция #{ $appealId } от пользователя #{ $target }. Текст — кнопкой «📝 Текст».
btn-mod-text = 📝 Текст
mod-text-none = Текста нет: человек его не написал или удалил свои данные.
btn-mod-dismiss = Отклонить
btn-mod-warn = Предупредить
btn-mod-suspend = Приостановить 7 дн.
btn-mod-ban = Заблокировать
btn-mod-grant = Удовлетворить
btn-mod-reject = Отказать
mod-done = Готово: { $action ->
        [dismiss] жалоба отклонена
        [warn] предупреждение отправлено
        [suspend] поиск приостановлен
        [unsuspend] ограничение снято
        [ban] доступ закрыт
        [unban] доступ восстановлен
        [grant] апелляция удовлетворена
        [reject] в апелляции отказано
       *[other] { $action }
    }.
mod-error = Не получилось: { $reason ->
        [not_found] не найдено
        [already_decided] решение уже принято
        [report_closed] жалоба уже закрыта
        [user_deleted] человек удалил свои данные
        [already_banned] доступ уже закрыт
       *[other] { $reason }
    }.
mod-note-evidence =
    Доказательства к жалобе #{ $reportId } ⬇️ (из чата они уйдут через 47 ч; показать снова — «📎 Доказательства» у жалобы)
    { $list }
evidence-origin-conversation = из разговора (пришло через бота)
evidence-origin-self = от автора жалобы
evidence-origin-elsewhere = переслано из другого чата
btn-mod-evidence = 📎 Доказательства
mod-evidence-none = К этой жалобе нет доказательств, которые можно показать.
mod-evidence-already = Доказательства уже в чате.
mod-evidence-shown = Показано: { $count }
to-user-warned = Модераторы напоминают о правилах: бережно, без оскорблений и давления. Спасибо, что помнишь об этом.
to-user-suspended = Поиск собеседников для тебя приостановлен модераторами до { $until }. Если это ошибка — /appeal.
to-user-banned = Модераторы закрыли для тебя доступ к разговорам. Если это ошибка — /appeal.
to-user-restored = Доступ восстановлен. Спасибо за терпение 💛

## Appeals
appeal-not-needed = Обжаловать нечего: у тебя нет ограничений.
appeal-prompt = Напиши одним сообщением, почему решение стоит пересмотреть. Модераторы прочитают.
appeal-sent = Апелляция передана модераторам. Ответ придёт сюда.
appeal-error-already_appealed = Апелляция на это решение уже отправлена — модераторы её рассмотрят.
appeal-error-text_too_long = Слишком длинно — до 1000 символов, пожалуйста.
appeal-error-empty_text = Напиши, пожалуйста, хоть пару слов.
appeal-error-not_sanctioned = Обжаловать нечего: у тебя нет ограничений.
appeal-error-not_found = Обжаловать нечего: у тебя нет ограничений.
appeal-granted = Модераторы приняли апелляцию — доступ восстановлен.
appeal-rejected = Модераторы рассмотрели апелляцию и оставили решение в силе.

## Privacy
delete-confirm =
    Удалить все твои данные? Профиль, темы, настройки и история поиска будут стёрты, текущий разговор завершится.
    Записи о платежах останутся, но без связи с тобой. Это нельзя отменить.
btn-delete-yes = Да, удалить всё
btn-delete-no = Нет, оставить
delete-done = Готово: твои данные удалены. Если захочешь вернуться — /start. Береги себя 💛
delete-kept = Хорошо, ничего не удаляем.
export-caption = Всё, что мы храним о тебе (JSON). Тексты переписки мы не храним.
report-error-other_chat = Эта жалоба была о прошлом разговоре, а сейчас у тебя другой. Если нужно — начни заново: /report.
