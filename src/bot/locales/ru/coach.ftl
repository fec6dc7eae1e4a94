## AI coach
btn-coach-hint = 💡 Подсказка
btn-coach-copy = 📋 Скопировать
btn-coach-send = Отправить
coach-disclosure =
    💡 Эти подсказки предлагает ИИ — их видишь только ты. Собеседник не узнает, что ты ими пользовался(ась).
    Это лишь варианты: пиши своими словами, как чувствуешь. Выключить подсказки — /coach.
coach-hint-empathy = 💬 Поддержать: { $text }
coach-hint-question = ❓ Спросить: { $text }
coach-hint-boundary = 🧭 Помни: { $text }
coach-limited-hourly_cap = Подсказок на этот час хватит — попробуй чуть позже.
coach-limited-daily_budget = Подсказки на сегодня закончились — загляни завтра.
coach-limited-disabled = Подсказки сейчас недоступны.
coach-sent = Отправлено собеседнику.
coach-status-on = Подсказки ИИ включены: иногда после сообщения собеседника появится «💡 Подсказка». Их видишь только ты.
coach-status-off = Подсказки ИИ выключены.
btn-coach-on = Включить подсказки
btn-coach-off = Выключить подсказки
