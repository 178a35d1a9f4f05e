# One image for every process of the production shape (see docker-compose.yml: init, web, cli, queue,
# worker, beat and snmp all run it, each with its own command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CGADMIN_ENV=production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home /var/CommuniGate cgatepro && mkdir -p /var/CommuniGate && chown cgatepro /var/CommuniGate
USER cgatepro
EXPOSE 8010 8106 8161/udp
CMD ["gunicorn", "cgadmin.wsgi:application", "--config", "cgadmin/gunicorn.conf.py", "--bind", "0.0.0.0:8010"]
