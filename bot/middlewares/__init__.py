"""aiogram middlewares: the update's unit of work, and Bot API request retries."""
